// Streaming encoders used by PyplowTracker: bytes flow through small "sinks" (URL encoding,
// base64url, JSON strings and numbers) into a fixed output buffer, so a request of any length is
// written without building it in memory and without the heap.
#ifndef PYPLOW_ENCODING_H
#define PYPLOW_ENCODING_H

#include <Arduino.h>
#include <Client.h>

#ifndef PYPLOW_OUT_BUFFER
#define PYPLOW_OUT_BUFFER 64  // bytes buffered before a write to the network client
#endif

// Something that takes bytes one at a time.
class PyplowSink {
 public:
  virtual void put(char c) = 0;
  void puts(const char* s) {
    while (*s) put(*s++);
  }
  void putsP(const char* progmemText);  // a string stored with PROGMEM
  void putUnsigned(uint64_t n);         // decimal digits
};

// Collects bytes in a fixed buffer and writes them to a Client when it is full (or on flush()).
// Remembers whether every write went through.
class PyplowClientWriter : public PyplowSink {
 public:
  explicit PyplowClientWriter(Client& client) : client_(client), used_(0), total_(0), ok_(true) {}
  void put(char c) override;
  void flush();
  bool ok() const { return ok_; }
  size_t total() const { return total_; }  // bytes accepted so far (buffered or written)

 private:
  Client& client_;
  uint8_t buffer_[PYPLOW_OUT_BUFFER];
  size_t used_;
  size_t total_;
  bool ok_;
};

// Percent-encodes into another sink: everything but A-Z a-z 0-9 - . _ ~ becomes %XX.
class PyplowUrlSink : public PyplowSink {
 public:
  explicit PyplowUrlSink(PyplowSink& out) : out_(out) {}
  void put(char c) override;

 private:
  PyplowSink& out_;
};

// Base64 with the URL-safe alphabet and no padding, into another sink; call finish() at the end.
class PyplowBase64Sink : public PyplowSink {
 public:
  explicit PyplowBase64Sink(PyplowSink& out) : out_(out), bits_(0), count_(0) {}
  void put(char c) override;
  void finish();

 private:
  PyplowSink& out_;
  uint32_t bits_;
  uint8_t count_;
};

// JSON text pieces.
namespace pyplow_json {
// "text" with quotes, backslashes and control characters escaped (UTF-8 passes through).
void writeString(PyplowSink& out, const char* text);
// A number with exactly `decimals` digits after the point (at most 6); null when it is not
// finite or |value| >= 1e15 (JSON has no NaN; a sensor that failed to read gives NaN).
void writeNumber(PyplowSink& out, double value, uint8_t decimals);
// A whole number.
void writeInteger(PyplowSink& out, long value);
}  // namespace pyplow_json

// True when `value` can be written as a number (finite, |value| < 1e15).
bool pyplowNumberOk(double value);

#endif
