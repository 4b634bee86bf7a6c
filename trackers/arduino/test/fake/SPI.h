// Host stand-in for Arduino's SPI library (the example sketch includes it for the shield).
#ifndef FAKE_SPI_H
#define FAKE_SPI_H
#endif
