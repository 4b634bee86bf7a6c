// Helpers for the tests (host only, so std::string is fine here).
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <PyplowEncoding.h>

#include <map>
#include <string>

// A sink that appends to a std::string.
class StringSink : public PyplowSink {
 public:
  std::string text;
  void put(char c) override { text += c; }
};

// Independent reference implementations, to compare the streaming encoders with.
std::string base64UrlNoPad(const std::string& bytes);
std::string base64Decode(const std::string& text);  // either alphabet, padding optional
std::string urlDecode(const std::string& text);

// The querystring of "GET /i?... HTTP/1.1" as name -> decoded value.
std::map<std::string, std::string> queryOf(const std::string& request);

#endif
