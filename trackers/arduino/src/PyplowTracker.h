// PyplowTracker: sends structured and self-describing events (sensor readings) from an Arduino
// board to a Snowplow-protocol collector (pyplow's or Snowplow's), one GET /i request each.
//
// Memory is fixed: the tracker and PyplowSelfDescribing hold small arrays sized at compile time,
// requests are streamed through a PYPLOW_OUT_BUFFER-byte buffer, and nothing is allocated on the
// heap. Strings passed in (host, app id, schema, field names and values, ...) are used in place,
// not copied, so they must stay valid while the tracker uses them; the user id is copied.
#ifndef PYPLOW_TRACKER_H
#define PYPLOW_TRACKER_H

#include <Arduino.h>
#include <Client.h>

#include "PyplowEncoding.h"

#define PYPLOW_TRACKER_VERSION "pyplow-arduino-0.1.0"

#ifndef PYPLOW_MAX_FIELDS
#define PYPLOW_MAX_FIELDS 8  // fields of one PyplowSelfDescribing
#endif
#ifndef PYPLOW_USER_ID_SIZE
#define PYPLOW_USER_ID_SIZE 40  // bytes for the user id, with its terminating zero
#endif

// Results of the track* methods: the HTTP status (> 0) when the collector answered, else one of
// these. PyplowTracker::ok(result) tells a 2xx answer.
enum {
  PYPLOW_ERR_CONNECT = -1,   // client.connect() failed
  PYPLOW_ERR_WRITE = -2,     // the client did not take every byte
  PYPLOW_ERR_TIMEOUT = -3,   // no answer within the timeout
  PYPLOW_ERR_RESPONSE = -4,  // an answer that is not an HTTP status line
  PYPLOW_ERR_ARGUMENT = -5   // a missing argument, too many fields, a NaN reading, ...
};

// The Iglu schema of trackSensorReading (shipped in this library's iglu/ folder).
#define PYPLOW_SENSOR_READING_SCHEMA "iglu:com.pyplow/sensor_reading/jsonschema/1-0-0"

// A self-describing JSON: an Iglu schema URI and a flat object of up to PYPLOW_MAX_FIELDS
// fields, kept in insertion order. Used for self-describing events and for context entities.
class PyplowSelfDescribing {
 public:
  explicit PyplowSelfDescribing(const char* schema);
  // Each returns false (and marks the object invalid) when it is full or a name is missing.
  bool addString(const char* name, const char* value);
  bool addNumber(const char* name, double value, uint8_t decimals = 2);
  bool addInteger(const char* name, long value);
  bool addBool(const char* name, bool value);
  bool addJson(const char* name, const char* rawJson);  // written as is: must be valid JSON
  void clear();                                         // no fields, valid again
  bool valid() const { return schema_ != nullptr && !overflow_; }
  uint8_t size() const { return count_; }
  // {"schema":"...","data":{...}}
  void writeTo(PyplowSink& out) const;

 private:
  enum Kind : uint8_t { STRING, NUMBER, INTEGER, BOOLEAN, RAW };
  struct Field {
    const char* name;
    Kind kind;
    uint8_t decimals;
    union {
      const char* text;
      double number;
      long integer;
      bool flag;
    } value;
  };
  bool add(const char* name, Kind kind);
  const char* schema_;
  Field fields_[PYPLOW_MAX_FIELDS];
  uint8_t count_;
  bool overflow_;
};

class PyplowTracker {
 public:
  // The collector's host name (or dotted IP) and port; appId (aid) may be nullptr.
  PyplowTracker(Client& client, const char* host, uint16_t port = 80, const char* appId = nullptr);

  // -- who and what ----------------------------------------------------------------------
  void setNamespace(const char* name) { namespace_ = name; }  // tna; nullptr: not sent
  void setPlatform(const char* platform) { platform_ = platform; }  // p, default "iot"
  void setUserId(const char* userId);                // uid, copied (truncated to fit)
  void setUserIdFromMac(const uint8_t mac[6]);       // uid "de:ad:be:ef:fe:ed"
  const char* userId() const { return userId_; }
  // Entities sent with every event (cx) until changed; nullptr/0 for none. Not copied.
  void setContexts(const PyplowSelfDescribing* contexts, uint8_t count);

  // -- time and randomness ---------------------------------------------------------------
  // Wall-clock time for dtm/stm. Without either, no device timestamps are sent and the
  // collector's time is used. setTime(unixSeconds) takes the time once (NTP, RTC) and follows
  // millis() from there (call it again at least every 49 days); setClock(fn) asks fn each time.
  void setTime(uint32_t unixSeconds);
  void setClock(uint64_t (*epochMillis)());
  uint64_t now();  // ms since the epoch, 0 when unknown
  // The random source for event ids (UUID v4). Default: Arduino's random(), so call
  // randomSeed() first, or pass a hardware generator (e.g. esp_random on an ESP32).
  void setRandom(uint32_t (*random32)()) { random_ = random32; }

  // -- network ---------------------------------------------------------------------------
  void setTimeout(uint16_t ms) { timeoutMs_ = ms; }  // wait for the answer, default 5000
  // Retries after a failure (no connection, timeout, non-2xx), waiting delayMs, then twice
  // that, and so on. Default: none. A retry sends the same event id.
  void setRetries(uint8_t retries, uint16_t delayMs) {
    retries_ = retries;
    retryDelayMs_ = delayMs;
  }

  // -- events: each returns the HTTP status or a PYPLOW_ERR_* value -------------------------
  int trackStructEvent(const char* category, const char* action, const char* label = nullptr,
                       const char* property = nullptr);
  int trackStructEvent(const char* category, const char* action, const char* label,
                       const char* property, double value, uint8_t decimals = 2);
  int trackSelfDescribingEvent(const PyplowSelfDescribing& event);
  // A com.pyplow/sensor_reading/jsonschema/1-0-0 event: {"sensor", "quantity", "value",
  // "unit"} (unit may be nullptr). A NaN or infinite value is not sent (PYPLOW_ERR_ARGUMENT).
  int trackSensorReading(const char* sensor, const char* quantity, double value,
                         const char* unit = nullptr, uint8_t decimals = 2);

  const char* lastEventId() const { return eventId_; }  // "" before the first event
  static bool ok(int result) { return result >= 200 && result < 300; }

 private:
  struct Event {
    char type;  // 's' structured, 'u' self-describing (body), 'r' sensor reading, whose
                // sensor, quantity and unit travel in category, action and label
    const char* category;
    const char* action;
    const char* label;
    const char* property;
    bool hasValue;
    double value;
    uint8_t decimals;
    const PyplowSelfDescribing* body;
  };
  int send(const Event& event);
  int attempt(const Event& event);
  void writeRequest(PyplowSink& out, const Event& event);
  int readStatus();
  void newEventId();

  Client& client_;
  const char* host_;
  uint16_t port_;
  const char* appId_;
  const char* namespace_;
  const char* platform_;
  char userId_[PYPLOW_USER_ID_SIZE];
  char eventId_[37];
  const PyplowSelfDescribing* contexts_;
  uint8_t contextCount_;
  uint64_t (*clock_)();
  uint64_t epochBase_;  // wall clock at millis() == 0, when set with setTime
  uint32_t lastMillis_;
  uint32_t (*random_)();
  uint16_t timeoutMs_;
  uint8_t retries_;
  uint16_t retryDelayMs_;
  uint64_t createdMs_;
};

#endif
