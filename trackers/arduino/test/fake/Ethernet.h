// Host stand-in for Arduino's Ethernet library, enough to compile the example sketch: the
// client is a real loopback TCP client.
#ifndef FAKE_ETHERNET_H
#define FAKE_ETHERNET_H

#include <Arduino.h>

#include "../loopback_client.h"

class EthernetClass {
 public:
  int begin(uint8_t*) { return 1; }
  uint8_t maintain() { return 0; }
};
static EthernetClass Ethernet;

class EthernetClient : public LoopbackClient {};

#endif
