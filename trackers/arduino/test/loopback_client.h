// A Client on a real TCP socket (POSIX), for sending to a collector over the loopback interface.
#ifndef LOOPBACK_CLIENT_H
#define LOOPBACK_CLIENT_H

#include <Client.h>

class LoopbackClient : public Client {
 public:
  ~LoopbackClient() { stop(); }
  int connect(IPAddress ip, uint16_t port) override;
  int connect(const char* host, uint16_t port) override;
  size_t write(uint8_t c) override { return write(&c, 1); }
  size_t write(const uint8_t* buffer, size_t size) override;
  int available() override;
  int read() override;
  int read(uint8_t* buffer, size_t size) override;
  int peek() override;
  void flush() override {}
  void stop() override;
  uint8_t connected() override;
  operator bool() override { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

#endif
