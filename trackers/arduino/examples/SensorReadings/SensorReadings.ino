// SensorReadings: an Ethernet board sends a temperature and a light reading every minute to a
// Snowplow-protocol collector (pyplow quickstart on a computer of the network, or any Snowplow
// collector), as self-describing com.pyplow/sensor_reading events, plus a structured event at
// boot. The board's MAC address is the user id.
//
// Wiring: a TMP36 temperature sensor on A0, a photoresistor divider on A1, an Ethernet shield
// (W5100/W5500). For WiFi boards use WiFiClient (WiFiNINA, WiFi101, ESP32's WiFi) instead of
// EthernetClient: the tracker works with any Arduino Client.
//
// The collector must know the sensor_reading schema: see iglu/ in this library and its README.

#include <SPI.h>
#include <Ethernet.h>
#include <PyplowTracker.h>

// The shield's MAC address (often on a sticker under the board).
byte mac[] = {0x90, 0xA2, 0xDA, 0x0F, 0x25, 0x1C};

// Where the collector listens.
const char COLLECTOR_HOST[] = "192.168.1.20";
const uint16_t COLLECTOR_PORT = 9090;

const unsigned long INTERVAL_MS = 60000UL;

EthernetClient client;
PyplowTracker tracker(client, COLLECTOR_HOST, COLLECTOR_PORT, "greenhouse");
unsigned long lastSent = 0;

void report(const char* what, int result);

void setup() {
  Serial.begin(9600);
  if (Ethernet.begin(mac) == 0) {
    Serial.println(F("DHCP failed"));
    for (;;) delay(1000);
  }
  delay(1000);                 // let the shield settle
  randomSeed(analogRead(A5));  // an unconnected pin: noise seeds the event ids

  tracker.setUserIdFromMac(mac);
  tracker.setNamespace("sensors");
  tracker.setRetries(2, 500);  // after a failure: wait 0.5 s, retry, wait 1 s, retry
  // With a clock (an NTP client, an RTC), events carry the device time (dtm/stm):
  //   tracker.setTime(unixSecondsFromNtp);

  report("boot", tracker.trackStructEvent("device", "boot", "greenhouse-1"));
  lastSent = millis() - INTERVAL_MS;  // first readings right away
}

void loop() {
  if (millis() - lastSent >= INTERVAL_MS) {
    lastSent = millis();

    // TMP36: 10 mV per degree Celsius, 500 mV at 0 C (5 V board, 10-bit ADC).
    float volts = analogRead(A0) * 5.0 / 1023.0;
    float celsius = (volts - 0.5) * 100.0;
    report("temperature", tracker.trackSensorReading("tmp36", "temperature", celsius, "C", 1));

    // The photoresistor divider: a relative light level, 0-100 %.
    float light = analogRead(A1) * 100.0 / 1023.0;
    report("light", tracker.trackSensorReading("ldr", "light", light, "%", 0));
  }
  Ethernet.maintain();  // keeps the DHCP lease
}

// Prints "temperature: sent", or the HTTP status / PYPLOW_ERR_* code of a failure.
void report(const char* what, int result) {
  Serial.print(what);
  if (PyplowTracker::ok(result)) {
    Serial.println(F(": sent"));
  } else {
    Serial.print(F(": failed "));
    Serial.println(result);
  }
}
