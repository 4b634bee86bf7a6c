// Host stand-in for Arduino's Stream: a Print that can also be read.
#ifndef FAKE_STREAM_H
#define FAKE_STREAM_H

#include "Print.h"

class Stream : public Print {
 public:
  virtual int available() = 0;
  virtual int read() = 0;
  virtual int peek() = 0;
  virtual void flush() = 0;
};

#endif
