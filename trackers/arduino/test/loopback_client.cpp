#include "loopback_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int LoopbackClient::connect(IPAddress ip, uint16_t port) {
  char host[16];
  snprintf(host, sizeof(host), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
  return connect(host, port);
}

int LoopbackClient::connect(const char* host, uint16_t port) {
  stop();
  char service[8];
  snprintf(service, sizeof(service), "%u", port);
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* found = nullptr;
  if (getaddrinfo(host, service, &hints, &found) != 0) return 0;
  for (struct addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      break;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return fd_ >= 0 ? 1 : 0;
}

size_t LoopbackClient::write(const uint8_t* buffer, size_t size) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < size) {
    ssize_t n = send(fd_, buffer + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += (size_t)n;
  }
  return sent;
}

int LoopbackClient::available() {
  if (fd_ < 0) return 0;
  int n = 0;
  if (ioctl(fd_, FIONREAD, &n) != 0) return 0;
  return n;
}

int LoopbackClient::read() {
  uint8_t c;
  return read(&c, 1) == 1 ? c : -1;
}

int LoopbackClient::read(uint8_t* buffer, size_t size) {
  if (fd_ < 0 || available() == 0) return -1;
  ssize_t n = recv(fd_, buffer, size, 0);
  return n > 0 ? (int)n : -1;
}

int LoopbackClient::peek() {
  uint8_t c;
  if (fd_ < 0 || available() == 0) return -1;
  return recv(fd_, &c, 1, MSG_PEEK) == 1 ? c : -1;
}

void LoopbackClient::stop() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

// Open while the peer has not closed, or while unread bytes remain.
uint8_t LoopbackClient::connected() {
  if (fd_ < 0) return 0;
  if (available() > 0) return 1;
  struct pollfd p = {fd_, POLLIN, 0};
  if (poll(&p, 1, 0) > 0) {
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return 0;
    uint8_t c;
    if ((p.revents & POLLIN) && recv(fd_, &c, 1, MSG_PEEK) == 0) return 0;  // orderly close
  }
  return 1;
}
