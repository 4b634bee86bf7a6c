// PyplowTracker against a recording client: the exact requests, ids, time, errors and retries,
// and no heap use.

// The replacement operator new below allocates with malloc, so freeing with free() is right;
// GCC cannot see that through the inlined standard containers.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <PyplowTracker.h>
#include <math.h>

#include <cstdlib>
#include <new>

#include "check.h"
#include "helpers.h"
#include "recording_client.h"

// -- counting heap allocations (operator new, and malloc through the linker's --wrap) ----------

static long allocations = 0;

extern "C" void* __real_malloc(size_t size);
extern "C" void* __wrap_malloc(size_t size) {
  ++allocations;
  return __real_malloc(size);
}

void* operator new(std::size_t size) {
  ++allocations;
  void* p = __real_malloc(size ? size : 1);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

// -- predictable randomness and time ----------------------------------------------------------

static uint32_t nextByte = 0;
// Bytes 00 01 02 03, then 04 05 06 07, ...: the first id is 00010203-0405-4607-8809-0a0b0c0d0e0f.
static uint32_t countingRandom() {
  uint32_t b = nextByte;
  nextByte += 4;
  return (b & 0xFF) << 24 | ((b + 1) & 0xFF) << 16 | ((b + 2) & 0xFF) << 8 | ((b + 3) & 0xFF);
}

static uint64_t clockValue = 0;
// Each reading is 5 ms after the one before, so dtm and stm differ.
static uint64_t steppingClock() {
  uint64_t now = clockValue;
  clockValue += 5;
  return now;
}

static const char* const ID1 = "00010203-0405-4607-8809-0a0b0c0d0e0f";
static const char* const ID2 = "10111213-1415-4617-9819-1a1b1c1d1e1f";
static const uint8_t MAC[6] = {0xDE, 0xAD, 0xBE, 0xEF, 0xFE, 0xED};
static const char* const TAIL =
    " HTTP/1.1\r\nHost: collector.local:9090\r\nUser-Agent: pyplow-arduino-0.1.0\r\n"
    "Connection: close\r\n\r\n";

static RecordingClient* freshClient() {
  static RecordingClient client;
  client.~RecordingClient();
  new (&client) RecordingClient();
  return &client;
}

// A tracker as a sketch would set it up, with the test's random source and clock.
struct Setup {
  RecordingClient& client;
  PyplowTracker tracker;
  Setup() : client(*freshClient()), tracker(client, "collector.local", 9090, "greenhouse") {
    nextByte = 0;
    clockValue = 1700000000123ULL;
    fake_arduino::setMillis(0);
    fake_arduino::resetDelayed();
    tracker.setRandom(countingRandom);
    tracker.setClock(steppingClock);
    tracker.setUserIdFromMac(MAC);
  }
};

TEST(structured_event_is_this_exact_request) {
  Setup s;
  s.tracker.setNamespace("sensors");
  int result = s.tracker.trackStructEvent("greenhouse", "door open", "north", "reed", 1.0);
  CHECK_EQ(result, 200);
  CHECK(PyplowTracker::ok(result));
  CHECK_EQ(std::string(s.tracker.lastEventId()), std::string(ID1));
  CHECK_EQ(s.client.requests(), 1);
  CHECK_EQ(std::string(s.client.lastHost), std::string("collector.local"));
  CHECK_EQ(s.client.lastPort, 9090);
  CHECK_EQ(s.client.stops, 1);
  CHECK_EQ(s.client.request(0),
           std::string("GET /i?e=se&se_ca=greenhouse&se_ac=door%20open&se_la=north&se_pr=reed"
                       "&se_va=1.00&eid=") +
               ID1 +
               "&tv=pyplow-arduino-0.1.0&p=iot&aid=greenhouse&tna=sensors"
               "&uid=de%3Aad%3Abe%3Aef%3Afe%3Aed&dtm=1700000000123&stm=1700000000128" + TAIL);
}

TEST(structured_event_without_optional_fields) {
  Setup s;
  s.tracker.trackStructEvent("boot", "start");
  CHECK_EQ(s.client.request(0),
           std::string("GET /i?e=se&se_ca=boot&se_ac=start&eid=") + ID1 +
               "&tv=pyplow-arduino-0.1.0&p=iot&aid=greenhouse"
               "&uid=de%3Aad%3Abe%3Aef%3Afe%3Aed&dtm=1700000000123&stm=1700000000128" + TAIL);
}

TEST(sensor_reading_is_this_exact_request) {
  Setup s;
  int result = s.tracker.trackSensorReading("dht22", "temperature", 21.5, "C");
  CHECK_EQ(result, 200);
  std::string json =
      "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0\","
      "\"data\":{\"schema\":\"iglu:com.pyplow/sensor_reading/jsonschema/1-0-0\","
      "\"data\":{\"sensor\":\"dht22\",\"quantity\":\"temperature\",\"value\":21.50,\"unit\":\"C\"}}}";
  CHECK_EQ(s.client.request(0),
           "GET /i?e=ue&ue_px=" + base64UrlNoPad(json) + "&eid=" + ID1 +
               "&tv=pyplow-arduino-0.1.0&p=iot&aid=greenhouse"
               "&uid=de%3Aad%3Abe%3Aef%3Afe%3Aed&dtm=1700000000123&stm=1700000000128" + TAIL);
  CHECK_EQ(base64Decode(queryOf(s.client.request(0))["ue_px"]), json);
}

TEST(self_describing_event_writes_every_field_kind_in_order) {
  Setup s;
  PyplowSelfDescribing event("iglu:com.acme/weather/jsonschema/1-0-0");
  CHECK(event.addString("station", "roof \"A\""));
  CHECK(event.addNumber("pressure", 1013.254, 1));
  CHECK(event.addInteger("rssi", -67));
  CHECK(event.addBool("raining", false));
  CHECK(event.addJson("wind", "{\"speed\":3.5,\"dir\":\"NW\"}"));
  CHECK_EQ(event.size(), 5);
  s.tracker.trackSelfDescribingEvent(event);
  auto q = queryOf(s.client.request(0));
  CHECK_EQ(q["e"], std::string("ue"));
  CHECK_EQ(base64Decode(q["ue_px"]),
           std::string("{\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/"
                       "jsonschema/1-0-0\",\"data\":{\"schema\":\"iglu:com.acme/weather/jsonschema/"
                       "1-0-0\",\"data\":{\"station\":\"roof \\\"A\\\"\",\"pressure\":1013.3,"
                       "\"rssi\":-67,\"raining\":false,\"wind\":{\"speed\":3.5,\"dir\":\"NW\"}}}}"));
  CHECK(q["ue_px"].find_first_of("=+/") == std::string::npos);
}

TEST(contexts_are_sent_with_every_event_as_cx) {
  Setup s;
  PyplowSelfDescribing device("iglu:com.acme/device/jsonschema/1-0-0");
  device.addString("board", "uno");
  PyplowSelfDescribing site("iglu:com.acme/site/jsonschema/1-0-0");
  site.addInteger("id", 7);
  PyplowSelfDescribing contexts[2] = {device, site};
  s.tracker.setContexts(contexts, 2);
  s.tracker.trackStructEvent("a", "b");
  s.tracker.trackSensorReading("ds18b20", "temperature", 4.0625, "C", 4);
  std::string expected =
      "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":["
      "{\"schema\":\"iglu:com.acme/device/jsonschema/1-0-0\",\"data\":{\"board\":\"uno\"}},"
      "{\"schema\":\"iglu:com.acme/site/jsonschema/1-0-0\",\"data\":{\"id\":7}}]}";
  CHECK_EQ(base64Decode(queryOf(s.client.request(0))["cx"]), expected);
  CHECK_EQ(base64Decode(queryOf(s.client.request(1))["cx"]), expected);
  CHECK(base64Decode(queryOf(s.client.request(1))["ue_px"]).find("\"value\":4.0625") !=
        std::string::npos);
  s.tracker.setContexts(nullptr, 0);
  s.tracker.trackStructEvent("a", "b");
  CHECK_EQ(queryOf(s.client.request(2)).count("cx"), (size_t)0);
}

TEST(event_ids_are_version_4_uuids_from_the_random_source) {
  Setup s;
  s.tracker.trackStructEvent("a", "b");
  CHECK_EQ(std::string(s.tracker.lastEventId()), std::string(ID1));
  s.tracker.trackStructEvent("a", "b");
  CHECK_EQ(std::string(s.tracker.lastEventId()), std::string(ID2));
  CHECK_EQ(queryOf(s.client.request(1))["eid"], std::string(ID2));

  // the default source: Arduino's random(); ids differ and have the v4 shape
  RecordingClient& client = *freshClient();
  PyplowTracker tracker(client, "c", 80);
  randomSeed(42);
  std::string previous;
  for (int i = 0; i < 20; ++i) {
    tracker.trackStructEvent("a", "b");
    std::string id = tracker.lastEventId();
    CHECK_EQ(id.size(), (size_t)36);
    CHECK_EQ(id[14], '4');
    CHECK(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
    CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
    CHECK(id != previous);
    previous = id;
  }
}

TEST(user_id_comes_from_the_mac_or_a_string) {
  Setup s;
  CHECK_EQ(std::string(s.tracker.userId()), std::string("de:ad:be:ef:fe:ed"));
  s.tracker.setUserId("greenhouse-7");
  s.tracker.trackStructEvent("a", "b");
  CHECK_EQ(queryOf(s.client.request(0))["uid"], std::string("greenhouse-7"));
  std::string longId(100, 'x');
  s.tracker.setUserId(longId.c_str());
  CHECK_EQ(std::string(s.tracker.userId()), std::string(PYPLOW_USER_ID_SIZE - 1, 'x'));
  s.tracker.setUserId(nullptr);
  s.tracker.trackStructEvent("a", "b");
  CHECK_EQ(queryOf(s.client.request(1)).count("uid"), (size_t)0);
}

TEST(platform_and_port_80) {
  RecordingClient& client = *freshClient();
  PyplowTracker tracker(client, "10.0.0.5");
  tracker.setRandom(countingRandom);
  tracker.setPlatform("srv");
  tracker.trackStructEvent("a", "b");
  std::string request = client.request(0);
  CHECK_EQ(client.lastPort, 80);
  CHECK(request.find("\r\nHost: 10.0.0.5\r\n") != std::string::npos);
  CHECK_EQ(queryOf(request)["p"], std::string("srv"));
  CHECK_EQ(queryOf(request).count("aid"), (size_t)0);
  // no clock: no device timestamps, the collector's time is used
  CHECK_EQ(queryOf(request).count("dtm"), (size_t)0);
  CHECK_EQ(queryOf(request).count("stm"), (size_t)0);
}

TEST(set_time_follows_millis_and_survives_the_wrap) {
  RecordingClient& client = *freshClient();
  PyplowTracker tracker(client, "c", 80);
  fake_arduino::setMillis(5000);
  tracker.setTime(1700000000UL);
  CHECK_EQ(tracker.now(), 1700000000000ULL);
  fake_arduino::advance(1234);
  CHECK_EQ(tracker.now(), 1700000001234ULL);
  tracker.trackStructEvent("a", "b");
  CHECK_EQ(queryOf(client.request(0))["dtm"], std::string("1700000001234"));

  fake_arduino::setMillis(0xFFFFFF00UL);
  tracker.setTime(1700000000UL);
  fake_arduino::setMillis(0x100);  // 512 ms later, after millis() wrapped
  CHECK_EQ(tracker.now(), 1700000000512ULL);
}

TEST(answers_and_failures_are_reported) {
  Setup s;
  s.client.answer("HTTP/1.1 404 Not Found\r\n\r\n");
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), 404);
  CHECK(!PyplowTracker::ok(404));

  s.client.answer("HTTP/1.0 204 No Content\r\n\r\n");
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), 204);

  s.client.answer("garbage\r\n");
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_RESPONSE);

  s.client.answer("HTTP/1.1 2");  // closed mid-line
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_RESPONSE);

  s.client.answer(nullptr);  // silent peer
  s.tracker.setTimeout(50);
  fake_arduino::setMillis(1000);
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_TIMEOUT);
  CHECK(millis() >= 1050);

  s.client.answer("HTTP/1.1 200 OK\r\n\r\n");
  s.client.acceptBytes = 20;
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_WRITE);
  s.client.acceptBytes = (size_t)-1;

  int stops = s.client.stops;
  s.client.refuseConnect = true;
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_CONNECT);
  CHECK_EQ(s.client.stops, stops + 1);
}

TEST(retries_wait_longer_each_time_and_keep_the_event_id) {
  Setup s;
  s.client.responses[0] = "HTTP/1.1 503 Busy\r\n\r\n";
  s.client.responses[1] = "HTTP/1.1 500 Oops\r\n\r\n";
  s.client.responses[2] = "HTTP/1.1 200 OK\r\n\r\n";
  s.client.responseCount = 3;
  s.tracker.setRetries(3, 100);
  CHECK_EQ(s.tracker.trackSensorReading("bh1750", "illuminance", 320.0, "lx", 0), 200);
  CHECK_EQ(s.client.requests(), 3);
  CHECK_EQ(fake_arduino::delayedTotal(), 300UL);  // 100, then 200
  auto first = queryOf(s.client.request(0));
  auto last = queryOf(s.client.request(2));
  CHECK_EQ(first["eid"], std::string(ID1));
  CHECK_EQ(last["eid"], std::string(ID1));
  CHECK_EQ(first["dtm"], last["dtm"]);
  CHECK(first["stm"] != last["stm"]);  // each attempt carries its own send time

  s.client.responses[0] = "HTTP/1.1 503 Busy\r\n\r\n";
  s.client.responseCount = 1;
  s.tracker.setRetries(2, 10);
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), 503);
  CHECK_EQ(s.client.connects, 3 + 3);
}

TEST(bad_arguments_send_nothing) {
  Setup s;
  CHECK_EQ(s.tracker.trackStructEvent(nullptr, "b"), (int)PYPLOW_ERR_ARGUMENT);
  CHECK_EQ(s.tracker.trackStructEvent("a", ""), (int)PYPLOW_ERR_ARGUMENT);
  CHECK_EQ(s.tracker.trackStructEvent("a", "b", nullptr, nullptr, NAN), (int)PYPLOW_ERR_ARGUMENT);
  CHECK_EQ(s.tracker.trackSensorReading("dht22", "humidity", NAN, "%"), (int)PYPLOW_ERR_ARGUMENT);
  CHECK_EQ(s.tracker.trackSensorReading(nullptr, "humidity", 40.0), (int)PYPLOW_ERR_ARGUMENT);

  PyplowSelfDescribing full("iglu:com.acme/big/jsonschema/1-0-0");
  for (int i = 0; i < PYPLOW_MAX_FIELDS; ++i) CHECK(full.addInteger("n", i));
  CHECK(!full.addInteger("one-too-many", 1));
  CHECK(!full.valid());
  CHECK_EQ(s.tracker.trackSelfDescribingEvent(full), (int)PYPLOW_ERR_ARGUMENT);
  full.clear();
  CHECK(full.valid());

  PyplowSelfDescribing broken("iglu:com.acme/x/jsonschema/1-0-0");
  broken.addString("name", nullptr);
  s.tracker.setContexts(&broken, 1);
  CHECK_EQ(s.tracker.trackStructEvent("a", "b"), (int)PYPLOW_ERR_ARGUMENT);
  CHECK_EQ(s.client.connects, 0);
}

TEST(tracking_uses_no_heap) {
  Setup s;
  PyplowSelfDescribing device("iglu:com.acme/device/jsonschema/1-0-0");
  device.addString("board", "uno");
  PyplowSelfDescribing event("iglu:com.acme/weather/jsonschema/1-0-0");
  event.addNumber("t", 3.25);
  s.client.responses[0] = "HTTP/1.1 500 x\r\n\r\n";
  s.client.responses[1] = "HTTP/1.1 200 OK\r\n\r\n";
  s.client.responseCount = 2;
  allocations = 0;
  s.tracker.setContexts(&device, 1);
  s.tracker.setRetries(1, 1);
  s.tracker.trackSensorReading("dht22", "temperature", 21.5, "C");
  for (int i = 0; i < 5; ++i) {
    s.tracker.trackStructEvent("a", "b", "c", "d", i * 1.5);
    s.tracker.trackSelfDescribingEvent(event);
  }
  s.tracker.setUserId("someone");
  s.tracker.setUserIdFromMac(MAC);
  long counted = allocations;
  CHECK_EQ(counted, 0L);
  CHECK_EQ(s.client.connects, 12);
  std::printf("     (sizeof PyplowTracker %zu, PyplowSelfDescribing %zu bytes on this host)\n",
              sizeof(PyplowTracker), sizeof(PyplowSelfDescribing));
}
