// A Client that records every byte written, per connection, into fixed arrays (no heap, so the
// allocation checks stay meaningful), and answers each connection from a scripted response.
#ifndef RECORDING_CLIENT_H
#define RECORDING_CLIENT_H

#include <Client.h>

#include <string>

class RecordingClient : public Client {
 public:
  static const int MAX_CONNECTIONS = 8;
  static const size_t CAPACITY = 8192;

  // What the next connections do, in order (the last one repeats): a response text, or
  // nullptr for a peer that stays silent (the tracker must time out).
  const char* responses[MAX_CONNECTIONS] = {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"};
  int responseCount = 1;
  bool refuseConnect = false;
  size_t acceptBytes = (size_t)-1;  // the client takes at most this many bytes per connection

  int connects = 0;
  int stops = 0;
  char lastHost[64] = {0};
  uint16_t lastPort = 0;

  void answer(const char* response) {
    responses[0] = response;
    responseCount = 1;
  }

  // The bytes written during connection i (0-based).
  std::string request(int i) const { return std::string(data_[i], used_[i]); }
  int requests() const { return connects < MAX_CONNECTIONS ? connects : MAX_CONNECTIONS; }

  int connect(IPAddress, uint16_t) override { return 0; }
  int connect(const char* host, uint16_t port) override {
    strncpy(lastHost, host, sizeof(lastHost) - 1);
    lastPort = port;
    if (refuseConnect) return 0;
    current_ = connects < MAX_CONNECTIONS ? connects : MAX_CONNECTIONS - 1;
    used_[current_] = 0;
    int which = connects < responseCount ? connects : responseCount - 1;
    response_ = responses[which];
    position_ = 0;
    connects++;
    open_ = true;
    return 1;
  }
  size_t write(uint8_t c) override { return write(&c, 1); }
  size_t write(const uint8_t* buffer, size_t size) override {
    if (!open_) return 0;
    size_t room = CAPACITY - used_[current_];
    size_t allowed = acceptBytes > used_[current_] ? acceptBytes - used_[current_] : 0;
    size_t n = size < room ? size : room;
    n = n < allowed ? n : allowed;
    memcpy(data_[current_] + used_[current_], buffer, n);
    used_[current_] += n;
    return n;
  }
  int available() override {
    if (!open_ || response_ == nullptr) return 0;
    return (int)(strlen(response_) - position_);
  }
  int read() override { return available() > 0 ? (unsigned char)response_[position_++] : -1; }
  int read(uint8_t* buffer, size_t size) override {
    size_t n = 0;
    while (n < size && available() > 0) buffer[n++] = (uint8_t)read();
    return (int)n;
  }
  int peek() override { return available() > 0 ? (unsigned char)response_[position_] : -1; }
  void flush() override {}
  void stop() override {
    stops++;
    open_ = false;
  }
  // A silent peer keeps the connection open; otherwise it closes after its answer.
  uint8_t connected() override { return open_ && (response_ == nullptr || available() > 0); }
  operator bool() override { return open_; }

 private:
  char data_[MAX_CONNECTIONS][CAPACITY];
  size_t used_[MAX_CONNECTIONS] = {0};
  int current_ = 0;
  const char* response_ = nullptr;
  size_t position_ = 0;
  bool open_ = false;
};

#endif
