// Host stand-in for Arduino's IPAddress (IPv4 only).
#ifndef FAKE_IPADDRESS_H
#define FAKE_IPADDRESS_H

#include <stdint.h>

class IPAddress {
 public:
  IPAddress() : bytes_{0, 0, 0, 0} {}
  IPAddress(uint8_t a, uint8_t b, uint8_t c, uint8_t d) : bytes_{a, b, c, d} {}
  uint8_t operator[](int i) const { return bytes_[i]; }

 private:
  uint8_t bytes_[4];
};

#endif
