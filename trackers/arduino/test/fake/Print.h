// Host stand-in for Arduino's Print: byte output with a few print helpers.
#ifndef FAKE_PRINT_H
#define FAKE_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

class Print {
 public:
  virtual size_t write(uint8_t c) = 0;
  virtual size_t write(const uint8_t* buffer, size_t size) {
    size_t n = 0;
    while (n < size && write(buffer[n])) n++;
    return n;
  }
  size_t print(const char* text) { return write((const uint8_t*)text, strlen(text)); }
  size_t print(long value);
  size_t print(double value, int decimals = 2);
  size_t println() { return print("\r\n"); }
  template <typename T>
  size_t println(T value) {
    size_t n = print(value);
    return n + println();
  }
  size_t print(int value) { return print((long)value); }
  size_t print(unsigned int value) { return print((long)value); }
  size_t print(unsigned long value) { return print((long)value); }
};

#endif
