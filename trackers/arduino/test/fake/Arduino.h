// A thin host stand-in for the Arduino core: just what PyplowTracker and the example sketch use.
// Time is either driven by the test (delay() moves it) or the real monotonic clock.
#ifndef FAKE_ARDUINO_H
#define FAKE_ARDUINO_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "Print.h"

#ifdef __AVR__
#include <avr/pgmspace.h>  // lets the library be cross-compiled for AVR against these fakes
#else
#define PROGMEM
#define PSTR(text) (text)
#define pgm_read_byte(address) (*(const unsigned char*)(address))
#endif
#define F(text) (text)

#define A0 14
#define A1 15
#define A5 19

typedef uint8_t byte;

unsigned long millis();
void delay(unsigned long ms);
long random(long howBig);
long random(long low, long high);
void randomSeed(unsigned long seed);
int analogRead(uint8_t pin);

// The serial port: prints to standard output when echo is on (off by default in tests).
class FakeSerial : public Print {
 public:
  void begin(unsigned long) {}
  size_t write(uint8_t c) override;
  using Print::write;
  explicit operator bool() const { return true; }
};
extern FakeSerial Serial;

namespace fake_arduino {
void useRealTime(bool real);        // false (default): time moves only through delay()/advance()
void setMillis(unsigned long ms);   // manual time
void advance(unsigned long ms);
unsigned long delayedTotal();       // ms passed to delay() since the last reset
void resetDelayed();
void setAnalog(uint8_t pin, int value);
void echoSerial(bool on);
}  // namespace fake_arduino

#endif
