#include "PyplowEncoding.h"

#include <math.h>

static const char HEX_DIGITS[] PROGMEM = "0123456789ABCDEF";
static const char BASE64_URL[] PROGMEM =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void PyplowSink::putsP(const char* progmemText) {
  for (;;) {
    char c = (char)pgm_read_byte(progmemText++);
    if (!c) return;
    put(c);
  }
}

void PyplowSink::putUnsigned(uint64_t n) {
  char digits[20];  // 2^64 has 20 digits
  uint8_t count = 0;
  do {
    digits[count++] = (char)('0' + (uint8_t)(n % 10));
    n /= 10;
  } while (n != 0);
  while (count > 0) put(digits[--count]);
}

void PyplowClientWriter::put(char c) {
  if (used_ == sizeof(buffer_)) flush();
  buffer_[used_++] = (uint8_t)c;
  total_++;
}

void PyplowClientWriter::flush() {
  if (used_ == 0) return;
  if (ok_) {
    size_t written = client_.write(buffer_, used_);
    if (written != used_) ok_ = false;
  }
  used_ = 0;
}

void PyplowUrlSink::put(char c) {
  uint8_t b = (uint8_t)c;
  bool plain = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
               b == '-' || b == '.' || b == '_' || b == '~';
  if (plain) {
    out_.put(c);
  } else {
    out_.put('%');
    out_.put((char)pgm_read_byte(HEX_DIGITS + (b >> 4)));
    out_.put((char)pgm_read_byte(HEX_DIGITS + (b & 0x0F)));
  }
}

void PyplowBase64Sink::put(char c) {
  bits_ = (bits_ << 8) | (uint8_t)c;
  if (++count_ == 3) {
    for (int8_t shift = 18; shift >= 0; shift -= 6) {
      out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> shift) & 0x3F)));
    }
    bits_ = 0;
    count_ = 0;
  }
}

void PyplowBase64Sink::finish() {
  if (count_ == 1) {
    bits_ <<= 16;
    out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> 18) & 0x3F)));
    out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> 12) & 0x3F)));
  } else if (count_ == 2) {
    bits_ <<= 8;
    out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> 18) & 0x3F)));
    out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> 12) & 0x3F)));
    out_.put((char)pgm_read_byte(BASE64_URL + ((bits_ >> 6) & 0x3F)));
  }
  bits_ = 0;
  count_ = 0;
}

bool pyplowNumberOk(double value) {
  return !isnan(value) && !isinf(value) && value < 1e15 && value > -1e15;
}

namespace pyplow_json {

void writeString(PyplowSink& out, const char* text) {
  out.put('"');
  for (const char* p = text; *p; ++p) {
    uint8_t b = (uint8_t)*p;
    if (b == '"' || b == '\\') {
      out.put('\\');
      out.put((char)b);
    } else if (b == '\n') {
      out.put('\\');
      out.put('n');
    } else if (b == '\r') {
      out.put('\\');
      out.put('r');
    } else if (b == '\t') {
      out.put('\\');
      out.put('t');
    } else if (b < 0x20 || b == 0x7F) {
      out.putsP(PSTR("\\u00"));
      out.put((char)pgm_read_byte(HEX_DIGITS + (b >> 4)));
      out.put((char)pgm_read_byte(HEX_DIGITS + (b & 0x0F)));
    } else {
      out.put((char)b);
    }
  }
  out.put('"');
}

void writeNumber(PyplowSink& out, double value, uint8_t decimals) {
  if (!pyplowNumberOk(value)) {
    out.putsP(PSTR("null"));
    return;
  }
  if (decimals > 6) decimals = 6;
  uint64_t scale = 1;
  for (uint8_t i = 0; i < decimals; ++i) scale *= 10;
  bool negative = value < 0;
  double magnitude = negative ? -value : value;
  // Round half away from zero at the last kept digit.
  uint64_t scaled = (uint64_t)(magnitude * (double)scale + 0.5);
  if (negative && scaled != 0) out.put('-');
  out.putUnsigned(scaled / scale);
  if (decimals > 0) {
    out.put('.');
    uint64_t fraction = scaled % scale;
    for (uint64_t digit = scale / 10; digit > 0; digit /= 10) {
      out.put((char)('0' + (uint8_t)((fraction / digit) % 10)));
    }
  }
}

void writeInteger(PyplowSink& out, long value) {
  if (value < 0) {
    out.put('-');
    // negate in unsigned arithmetic so the most negative long works too
    out.putUnsigned((uint64_t)(-(value + 1)) + 1);
  } else {
    out.putUnsigned((uint64_t)value);
  }
}

}  // namespace pyplow_json
