#include "Arduino.h"

#include <stdio.h>
#include <time.h>

namespace {
bool realTime = false;
unsigned long manualMillis = 0;
unsigned long delayed = 0;
unsigned long long randomState = 1;
int analogValues[32] = {0};
bool echo = false;

unsigned long monotonicMillis() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long)(ts.tv_sec * 1000UL + ts.tv_nsec / 1000000UL);
}
}  // namespace

FakeSerial Serial;

size_t FakeSerial::write(uint8_t c) {
  if (echo) fputc(c, stdout);
  return 1;
}

size_t Print::print(long value) {
  char text[24];
  snprintf(text, sizeof(text), "%ld", value);
  return print(text);
}

size_t Print::print(double value, int decimals) {
  char text[48];
  snprintf(text, sizeof(text), "%.*f", decimals, value);
  return print(text);
}

unsigned long millis() { return realTime ? monotonicMillis() : manualMillis; }

void delay(unsigned long ms) {
  delayed += ms;
  if (realTime) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, nullptr);
  } else {
    manualMillis += ms;
  }
}

// A small linear congruential generator: reproducible, which is all the tests need.
long random(long howBig) {
  if (howBig <= 0) return 0;
  randomState = randomState * 6364136223846793005ULL + 1442695040888963407ULL;
  return (long)((randomState >> 33) % (unsigned long long)howBig);
}

long random(long low, long high) { return high <= low ? low : low + random(high - low); }

void randomSeed(unsigned long seed) { randomState = seed ? seed : 1; }

int analogRead(uint8_t pin) { return pin < 32 ? analogValues[pin] : 0; }

namespace fake_arduino {
void useRealTime(bool real) { realTime = real; }
void setMillis(unsigned long ms) { manualMillis = ms; }
void advance(unsigned long ms) { manualMillis += ms; }
unsigned long delayedTotal() { return delayed; }
void resetDelayed() { delayed = 0; }
void setAnalog(uint8_t pin, int value) {
  if (pin < 32) analogValues[pin] = value;
}
void echoSerial(bool on) { echo = on; }
}  // namespace fake_arduino
