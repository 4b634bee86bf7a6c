// The streaming encoders: URL encoding, base64url, JSON strings and numbers, the output buffer.
#include <limits.h>
#include <math.h>

#include "check.h"
#include "helpers.h"
#include "recording_client.h"

static std::string url(const std::string& text) {
  StringSink out;
  PyplowUrlSink sink(out);
  sink.puts(text.c_str());
  return out.text;
}

static std::string b64(const std::string& bytes) {
  StringSink out;
  PyplowBase64Sink sink(out);
  for (char c : bytes) sink.put(c);
  sink.finish();
  return out.text;
}

static std::string number(double value, uint8_t decimals) {
  StringSink out;
  pyplow_json::writeNumber(out, value, decimals);
  return out.text;
}

static std::string integer(long value) {
  StringSink out;
  pyplow_json::writeInteger(out, value);
  return out.text;
}

static std::string jsonString(const char* text) {
  StringSink out;
  pyplow_json::writeString(out, text);
  return out.text;
}

TEST(url_encoding_keeps_only_unreserved_characters) {
  CHECK_EQ(url("AZaz09-._~"), std::string("AZaz09-._~"));
  CHECK_EQ(url("a b+c&d=e/f?g%h#i"), std::string("a%20b%2Bc%26d%3De%2Ff%3Fg%25h%23i"));
  CHECK_EQ(url("caf\xc3\xa9 22\xc2\xb0""C"), std::string("caf%C3%A9%2022%C2%B0C"));
}

TEST(base64url_matches_rfc4648_vectors_without_padding) {
  CHECK_EQ(b64(""), std::string(""));
  CHECK_EQ(b64("f"), std::string("Zg"));
  CHECK_EQ(b64("fo"), std::string("Zm8"));
  CHECK_EQ(b64("foo"), std::string("Zm9v"));
  CHECK_EQ(b64("foob"), std::string("Zm9vYg"));
  CHECK_EQ(b64("fooba"), std::string("Zm9vYmE"));
  CHECK_EQ(b64("foobar"), std::string("Zm9vYmFy"));
  CHECK_EQ(b64("\xfb\xff\xbf"), std::string("-_-_"));
}

TEST(base64url_round_trips_every_byte_value) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += (char)i;
  for (size_t cut = 250; cut <= 256; ++cut) {
    std::string part = all.substr(0, cut);
    CHECK_EQ(b64(part), base64UrlNoPad(part));
    CHECK_EQ(base64Decode(b64(part)), part);
  }
}

TEST(json_strings_escape_quotes_backslashes_and_controls) {
  CHECK_EQ(jsonString("say \"hi\"\\"), std::string("\"say \\\"hi\\\"\\\\\""));
  CHECK_EQ(jsonString("a\nb\rc\td\x01\x7f"), std::string("\"a\\nb\\rc\\td\\u0001\\u007F\""));
  CHECK_EQ(jsonString("22\xc2\xb0""C"), std::string("\"22\xc2\xb0""C\""));
}

TEST(json_numbers_have_fixed_decimals_and_round_half_away_from_zero) {
  CHECK_EQ(number(21.5, 2), std::string("21.50"));
  CHECK_EQ(number(21.456, 2), std::string("21.46"));
  CHECK_EQ(number(-3.14159, 3), std::string("-3.142"));
  CHECK_EQ(number(1013.25, 0), std::string("1013"));
  CHECK_EQ(number(0.0001, 2), std::string("0.00"));
  CHECK_EQ(number(-0.001, 2), std::string("0.00"));  // no "-0.00"
  CHECK_EQ(number(0.5, 9), std::string("0.500000"));  // at most 6 decimals
  CHECK_EQ(number(123456789012.25, 1), std::string("123456789012.3"));
}

TEST(json_numbers_that_json_cannot_hold_are_null) {
  CHECK_EQ(number(NAN, 2), std::string("null"));
  CHECK_EQ(number(INFINITY, 2), std::string("null"));
  CHECK_EQ(number(-INFINITY, 2), std::string("null"));
  CHECK_EQ(number(1e15, 0), std::string("null"));
  CHECK(!pyplowNumberOk(NAN));
  CHECK(pyplowNumberOk(-999999999999999.0));
}

TEST(json_integers_cover_the_whole_long_range) {
  CHECK_EQ(integer(0), std::string("0"));
  CHECK_EQ(integer(-42), std::string("-42"));
  CHECK_EQ(integer(LONG_MAX), std::to_string(LONG_MAX));
  CHECK_EQ(integer(LONG_MIN), std::to_string(LONG_MIN));
  StringSink out;
  out.putUnsigned(18446744073709551615ULL);
  CHECK_EQ(out.text, std::string("18446744073709551615"));
}

TEST(client_writer_sends_in_buffer_sized_writes_and_notices_short_writes) {
  static RecordingClient client;
  client.connect("h", 1);
  PyplowClientWriter writer(client);
  std::string text;
  for (int i = 0; i < 3 * PYPLOW_OUT_BUFFER + 5; ++i) text += (char)('a' + i % 26);
  writer.puts(text.c_str());
  CHECK_EQ(client.request(0).size(), (size_t)(3 * PYPLOW_OUT_BUFFER));  // the rest is buffered
  writer.flush();
  CHECK_EQ(client.request(0), text);
  CHECK(writer.ok());
  CHECK_EQ(writer.total(), text.size());

  static RecordingClient stingy;
  stingy.acceptBytes = 10;
  stingy.connect("h", 1);
  PyplowClientWriter short_writer(stingy);
  short_writer.puts(text.c_str());
  short_writer.flush();
  CHECK(!short_writer.ok());
}
