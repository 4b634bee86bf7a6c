#include "PyplowTracker.h"

#include <string.h>

static const char UNSTRUCT_EVENT_SCHEMA[] PROGMEM =
    "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0";
static const char CONTEXTS_SCHEMA[] PROGMEM =
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0";
static const char SENSOR_READING_SCHEMA[] PROGMEM = PYPLOW_SENSOR_READING_SCHEMA;
static const char HEX_LOWER[] PROGMEM = "0123456789abcdef";

// Library text lives in flash (PROGMEM) so that it takes no RAM on AVR boards.

// -- PyplowSelfDescribing -------------------------------------------------------------------

PyplowSelfDescribing::PyplowSelfDescribing(const char* schema)
    : schema_(schema), count_(0), overflow_(false) {}

bool PyplowSelfDescribing::add(const char* name, Kind kind) {
  if (name == nullptr || count_ >= PYPLOW_MAX_FIELDS) {
    overflow_ = true;
    return false;
  }
  fields_[count_].name = name;
  fields_[count_].kind = kind;
  fields_[count_].decimals = 0;
  return true;
}

bool PyplowSelfDescribing::addString(const char* name, const char* value) {
  if (value == nullptr || !add(name, STRING)) {
    overflow_ = true;
    return false;
  }
  fields_[count_++].value.text = value;
  return true;
}

bool PyplowSelfDescribing::addNumber(const char* name, double value, uint8_t decimals) {
  if (!add(name, NUMBER)) return false;
  fields_[count_].decimals = decimals;
  fields_[count_++].value.number = value;
  return true;
}

bool PyplowSelfDescribing::addInteger(const char* name, long value) {
  if (!add(name, INTEGER)) return false;
  fields_[count_++].value.integer = value;
  return true;
}

bool PyplowSelfDescribing::addBool(const char* name, bool value) {
  if (!add(name, BOOLEAN)) return false;
  fields_[count_++].value.flag = value;
  return true;
}

bool PyplowSelfDescribing::addJson(const char* name, const char* rawJson) {
  if (rawJson == nullptr || !add(name, RAW)) {
    overflow_ = true;
    return false;
  }
  fields_[count_++].value.text = rawJson;
  return true;
}

void PyplowSelfDescribing::clear() {
  count_ = 0;
  overflow_ = false;
}

void PyplowSelfDescribing::writeTo(PyplowSink& out) const {
  out.putsP(PSTR("{\"schema\":"));
  pyplow_json::writeString(out, schema_);
  out.putsP(PSTR(",\"data\":{"));
  for (uint8_t i = 0; i < count_; ++i) {
    const Field& f = fields_[i];
    if (i > 0) out.put(',');
    pyplow_json::writeString(out, f.name);
    out.put(':');
    switch (f.kind) {
      case STRING:
        pyplow_json::writeString(out, f.value.text);
        break;
      case NUMBER:
        pyplow_json::writeNumber(out, f.value.number, f.decimals);
        break;
      case INTEGER:
        pyplow_json::writeInteger(out, f.value.integer);
        break;
      case BOOLEAN:
        if (f.value.flag) {
          out.putsP(PSTR("true"));
        } else {
          out.putsP(PSTR("false"));
        }
        break;
      case RAW:
        out.puts(f.value.text);
        break;
    }
  }
  out.putsP(PSTR("}}"));
}

// -- PyplowTracker --------------------------------------------------------------------------

static uint32_t arduinoRandom32() {
  // Arduino's random(max) gives 0..max-1; two 16-bit draws make 32 bits.
  uint32_t high = (uint32_t)random(0x10000L);
  uint32_t low = (uint32_t)random(0x10000L);
  return (high << 16) | low;
}

PyplowTracker::PyplowTracker(Client& client, const char* host, uint16_t port, const char* appId)
    : client_(client),
      host_(host),
      port_(port),
      appId_(appId),
      namespace_(nullptr),
      platform_("iot"),
      contexts_(nullptr),
      contextCount_(0),
      clock_(nullptr),
      epochBase_(0),
      lastMillis_(0),
      random_(arduinoRandom32),
      timeoutMs_(5000),
      retries_(0),
      retryDelayMs_(0),
      createdMs_(0) {
  userId_[0] = '\0';
  eventId_[0] = '\0';
}

void PyplowTracker::setUserId(const char* userId) {
  if (userId == nullptr) {
    userId_[0] = '\0';
    return;
  }
  strncpy(userId_, userId, sizeof(userId_) - 1);
  userId_[sizeof(userId_) - 1] = '\0';
}

void PyplowTracker::setUserIdFromMac(const uint8_t mac[6]) {
  char* p = userId_;
  for (uint8_t i = 0; i < 6; ++i) {
    if (i > 0) *p++ = ':';
    *p++ = (char)pgm_read_byte(HEX_LOWER + (mac[i] >> 4));
    *p++ = (char)pgm_read_byte(HEX_LOWER + (mac[i] & 0x0F));
  }
  *p = '\0';
}

void PyplowTracker::setContexts(const PyplowSelfDescribing* contexts, uint8_t count) {
  contexts_ = count > 0 ? contexts : nullptr;
  contextCount_ = contexts_ ? count : 0;
}

void PyplowTracker::setTime(uint32_t unixSeconds) {
  uint32_t ms = millis();
  epochBase_ = (uint64_t)unixSeconds * 1000u - ms;
  lastMillis_ = ms;
  clock_ = nullptr;
}

void PyplowTracker::setClock(uint64_t (*epochMillis)()) { clock_ = epochMillis; }

uint64_t PyplowTracker::now() {
  if (clock_ != nullptr) return clock_();
  if (epochBase_ == 0) return 0;
  uint32_t ms = millis();
  if (ms < lastMillis_) epochBase_ += 0x100000000ULL;  // millis() wrapped (every ~49.7 days)
  lastMillis_ = ms;
  return epochBase_ + ms;
}

void PyplowTracker::newEventId() {
  uint8_t bytes[16];
  for (uint8_t i = 0; i < 16; i += 4) {
    uint32_t r = random_();
    bytes[i] = (uint8_t)(r >> 24);
    bytes[i + 1] = (uint8_t)(r >> 16);
    bytes[i + 2] = (uint8_t)(r >> 8);
    bytes[i + 3] = (uint8_t)r;
  }
  bytes[6] = (uint8_t)((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = (uint8_t)((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char* p = eventId_;
  for (uint8_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = (char)pgm_read_byte(HEX_LOWER + (bytes[i] >> 4));
    *p++ = (char)pgm_read_byte(HEX_LOWER + (bytes[i] & 0x0F));
  }
  *p = '\0';
}

int PyplowTracker::trackStructEvent(const char* category, const char* action, const char* label,
                                    const char* property) {
  Event e = {'s', category, action, label, property, false, 0.0, 0, nullptr};
  return send(e);
}

int PyplowTracker::trackStructEvent(const char* category, const char* action, const char* label,
                                    const char* property, double value, uint8_t decimals) {
  if (!pyplowNumberOk(value)) return PYPLOW_ERR_ARGUMENT;
  Event e = {'s', category, action, label, property, true, value, decimals, nullptr};
  return send(e);
}

int PyplowTracker::trackSelfDescribingEvent(const PyplowSelfDescribing& event) {
  Event e = {'u', nullptr, nullptr, nullptr, nullptr, false, 0.0, 0, &event};
  return send(e);
}

int PyplowTracker::trackSensorReading(const char* sensor, const char* quantity, double value,
                                      const char* unit, uint8_t decimals) {
  if (sensor == nullptr || quantity == nullptr || !*sensor || !*quantity ||
      !pyplowNumberOk(value)) {
    return PYPLOW_ERR_ARGUMENT;
  }
  // written straight from these arguments (see writeEvent), with no PyplowSelfDescribing
  Event e = {'r', sensor, quantity, unit, nullptr, true, value, decimals, nullptr};
  return send(e);
}

int PyplowTracker::send(const Event& event) {
  if (event.type == 's' && (event.category == nullptr || event.action == nullptr ||
                            !*event.category || !*event.action)) {
    return PYPLOW_ERR_ARGUMENT;
  }
  if (event.type == 'u' && (event.body == nullptr || !event.body->valid())) {
    return PYPLOW_ERR_ARGUMENT;
  }
  for (uint8_t i = 0; i < contextCount_; ++i) {
    if (!contexts_[i].valid()) return PYPLOW_ERR_ARGUMENT;
  }
  newEventId();
  createdMs_ = now();
  int result = attempt(event);
  unsigned long wait = retryDelayMs_;
  for (uint8_t retry = 0; retry < retries_ && !ok(result); ++retry) {
    delay(wait);
    wait *= 2;
    result = attempt(event);
  }
  return result;
}

int PyplowTracker::attempt(const Event& event) {
  if (!client_.connect(host_, port_)) {
    client_.stop();
    return PYPLOW_ERR_CONNECT;
  }
  PyplowClientWriter out(client_);
  writeRequest(out, event);
  out.flush();
  if (!out.ok()) {
    client_.stop();
    return PYPLOW_ERR_WRITE;
  }
  int status = readStatus();
  client_.stop();
  return status;
}

// One "&name=" (name in PROGMEM) plus the URL-encoded value; nothing when value is nullptr.
static void param(PyplowSink& out, const char* progmemName, const char* value) {
  if (value == nullptr) return;
  out.put('&');
  out.putsP(progmemName);
  out.put('=');
  PyplowUrlSink url(out);
  url.puts(value);
}

// "name": (name in PROGMEM), as a JSON object key.
static void key(PyplowSink& out, const char* progmemName) {
  out.put('"');
  out.putsP(progmemName);
  out.putsP(PSTR("\":"));
}

// The self-describing JSON of a 'u' or 'r' event.
static void writeEvent(PyplowSink& out, const PyplowSelfDescribing* body, const char* sensor,
                       const char* quantity, const char* unit, double value, uint8_t decimals) {
  if (body != nullptr) {
    body->writeTo(out);
    return;
  }
  out.putsP(PSTR("{\"schema\":\""));
  out.putsP(SENSOR_READING_SCHEMA);
  out.putsP(PSTR("\",\"data\":{"));
  key(out, PSTR("sensor"));
  pyplow_json::writeString(out, sensor);
  out.put(',');
  key(out, PSTR("quantity"));
  pyplow_json::writeString(out, quantity);
  out.put(',');
  key(out, PSTR("value"));
  pyplow_json::writeNumber(out, value, decimals);
  if (unit != nullptr) {
    out.put(',');
    key(out, PSTR("unit"));
    pyplow_json::writeString(out, unit);
  }
  out.putsP(PSTR("}}"));
}

void PyplowTracker::writeRequest(PyplowSink& out, const Event& event) {
  out.putsP(PSTR("GET /i?e="));
  if (event.type == 's') {
    out.putsP(PSTR("se"));
    param(out, PSTR("se_ca"), event.category);
    param(out, PSTR("se_ac"), event.action);
    param(out, PSTR("se_la"), event.label);
    param(out, PSTR("se_pr"), event.property);
    if (event.hasValue) {
      out.putsP(PSTR("&se_va="));
      pyplow_json::writeNumber(out, event.value, event.decimals);  // digits, '.', '-': URL-safe
    }
  } else {
    out.putsP(PSTR("ue&ue_px="));
    PyplowBase64Sink b64(out);
    b64.putsP(PSTR("{\"schema\":\""));
    b64.putsP(UNSTRUCT_EVENT_SCHEMA);
    b64.putsP(PSTR("\",\"data\":"));
    writeEvent(b64, event.body, event.category, event.action, event.label, event.value,
               event.decimals);
    b64.put('}');
    b64.finish();
  }
  if (contextCount_ > 0) {
    out.putsP(PSTR("&cx="));
    PyplowBase64Sink b64(out);
    b64.putsP(PSTR("{\"schema\":\""));
    b64.putsP(CONTEXTS_SCHEMA);
    b64.putsP(PSTR("\",\"data\":["));
    for (uint8_t i = 0; i < contextCount_; ++i) {
      if (i > 0) b64.put(',');
      contexts_[i].writeTo(b64);
    }
    b64.putsP(PSTR("]}"));
    b64.finish();
  }
  param(out, PSTR("eid"), eventId_);
  out.putsP(PSTR("&tv=" PYPLOW_TRACKER_VERSION));  // needs no URL encoding
  param(out, PSTR("p"), platform_);
  param(out, PSTR("aid"), appId_);
  param(out, PSTR("tna"), namespace_);
  if (userId_[0]) param(out, PSTR("uid"), userId_);
  if (createdMs_ != 0) {
    out.putsP(PSTR("&dtm="));
    out.putUnsigned(createdMs_);
    uint64_t sent = now();
    if (sent != 0) {
      out.putsP(PSTR("&stm="));
      out.putUnsigned(sent);
    }
  }
  out.putsP(PSTR(" HTTP/1.1\r\nHost: "));
  out.puts(host_);
  if (port_ != 80) {
    out.put(':');
    out.putUnsigned(port_);
  }
  out.putsP(PSTR("\r\nUser-Agent: " PYPLOW_TRACKER_VERSION "\r\nConnection: close\r\n\r\n"));
}

// Reads "HTTP/1.x NNN" and returns NNN; the rest of the answer is left to client.stop().
int PyplowTracker::readStatus() {
  char line[16];
  uint8_t used = 0;
  unsigned long started = millis();
  while (used < sizeof(line) - 1) {
    if (client_.available() > 0) {
      int c = client_.read();
      if (c < 0) continue;
      if (c == '\r' || c == '\n') break;
      line[used++] = (char)c;
      if (used >= 12) break;  // "HTTP/1.1 200" is all we need
    } else if (!client_.connected()) {
      break;
    } else if (millis() - started >= timeoutMs_) {
      return PYPLOW_ERR_TIMEOUT;
    } else {
      delay(1);
    }
  }
  line[used] = '\0';
  bool http = used >= 12 && line[0] == 'H' && line[1] == 'T' && line[2] == 'T' && line[3] == 'P' &&
              line[4] == '/' && line[5] == '1' && line[6] == '.' && line[8] == ' ';
  if (!http) return PYPLOW_ERR_RESPONSE;
  int status = 0;
  for (uint8_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return PYPLOW_ERR_RESPONSE;
    status = status * 10 + (line[i] - '0');
  }
  return status;
}
