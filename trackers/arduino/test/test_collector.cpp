// End to end: PyplowTracker on a real TCP socket (LoopbackClient) sends to a real `pyplow
// quickstart` on 127.0.0.1, and the events must come out of enrich as good events with the right
// fields, read back through the Micro API. The pyplow executable comes from $PYPLOW; without it
// the test is skipped (a failure when CI=true).
#include <PyplowTracker.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "check.h"
#include "loopback_client.h"

namespace {

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t size = sizeof(addr);
  bind(fd, (struct sockaddr*)&addr, sizeof(addr));
  getsockname(fd, (struct sockaddr*)&addr, &size);
  close(fd);
  return ntohs(addr.sin_port);
}

void sleepMs(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

// GET over HTTP/1.0 with the loopback client; returns the status (0: no answer) and the body.
int httpGet(int port, const std::string& path, std::string* body) {
  LoopbackClient client;
  if (!client.connect("127.0.0.1", (uint16_t)port)) return 0;
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  client.write((const uint8_t*)request.data(), request.size());
  std::string answer;
  for (int waited = 0; waited < 10000; ) {
    if (client.available() > 0) {
      uint8_t buffer[4096];
      int n = client.read(buffer, sizeof(buffer));
      if (n > 0) answer.append((const char*)buffer, (size_t)n);
    } else if (!client.connected()) {
      break;
    } else {
      sleepMs(2);
      waited += 2;
    }
  }
  client.stop();
  size_t split = answer.find("\r\n\r\n");
  if (answer.compare(0, 5, "HTTP/") != 0 || split == std::string::npos) return 0;
  if (body) *body = answer.substr(split + 4);
  return std::atoi(answer.c_str() + answer.find(' ') + 1);
}

std::string readFile(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) text.append(buffer, n);
    std::fclose(f);
  }
  return text;
}

bool writeFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

// A pyplow quickstart in a temporary folder; killed (it is ours, by pid) when this goes away.
struct Pipeline {
  std::string dir;
  int port = 0;
  pid_t pid = -1;

  bool start(const char* executable, std::string* why) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pyplow-arduino-XXXXXX";
    if (!mkdtemp(&pattern[0])) {
      *why = "mkdtemp failed for " + pattern;
      return false;
    }
    dir = pattern;
    const char* iglu_env = std::getenv("PYPLOW_ARDUINO_IGLU");
    char iglu[PATH_MAX];
    if (!realpath(iglu_env ? iglu_env : "iglu", iglu)) {
      *why = "no iglu/ folder: run from trackers/arduino or set PYPLOW_ARDUINO_IGLU";
      return false;
    }
    std::string resolver = dir + "/resolver.json";
    // an Iglu resolver config: pyplow's built-in schemas, and this library's iglu/ folder
    bool written = writeFile(
        resolver,
        std::string("{\"schema\":\"iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1\","
                    "\"data\":{\"cacheSize\":500,\"repositories\":[{\"name\":\"arduino tracker\","
                    "\"priority\":0,\"vendorPrefixes\":[\"com.pyplow\"],\"connection\":"
                    "{\"embedded\":{\"path\":\"") + iglu + "\"}}}]}}");
    if (!written) {
      *why = "could not write " + resolver;
      return false;
    }
    port = freePort();
    std::string portText = std::to_string(port), data = dir + "/data", log = dir + "/pyplow.log";
    pid = fork();
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(executable, executable, "quickstart", "--host", "127.0.0.1", "--port", portText.c_str(),
            "--data-dir", data.c_str(), "--resolver", resolver.c_str(), (char*)nullptr);
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (httpGet(port, "/micro/all", nullptr) == 200) return true;
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      sleepMs(100);
    }
    *why = "pyplow quickstart did not start:\n" + log_();
    return false;
  }

  std::string log_() const { return readFile(dir + "/pyplow.log"); }

  ~Pipeline() {
    if (pid > 0) {
      kill(pid, SIGKILL);  // its data is thrown away: nothing to drain
      waitpid(pid, nullptr, 0);
    }
    if (!dir.empty()) {  // the folder mkdtemp made for this test
      std::string command = "rm -rf '" + dir + "'";
      if (std::system(command.c_str()) != 0) std::printf("could not remove %s\n", dir.c_str());
    }
  }
};

const uint8_t MAC[6] = {0x90, 0xA2, 0xDA, 0x0F, 0x25, 0x1C};

bool has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  std::printf("    missing %s in %.300s...\n", part.c_str(), text.c_str());
  return false;
}

}  // namespace

TEST(events_arrive_enriched_at_a_real_pyplow_collector) {
  const char* executable = std::getenv("PYPLOW");
  if (!executable || !*executable) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
      check::fail(__FILE__, __LINE__, "PYPLOW is not set (the pyplow executable), required in CI");
    } else {
      std::printf("     skipped: set PYPLOW=/path/to/pyplow to send to a real collector\n");
    }
    return;
  }
  Pipeline pipeline;
  std::string why;
  if (!pipeline.start(executable, &why)) {
    check::fail(__FILE__, __LINE__, why);
    return;
  }

  fake_arduino::useRealTime(true);
  LoopbackClient client;
  PyplowTracker tracker(client, "127.0.0.1", (uint16_t)pipeline.port, "greenhouse");
  tracker.setNamespace("arduino-e2e");
  tracker.setUserIdFromMac(MAC);
  tracker.setTime((uint32_t)time(nullptr));
  randomSeed((unsigned long)time(nullptr) ^ (unsigned long)getpid());

  std::string ids[4];
  int results[4];
  results[0] = tracker.trackStructEvent("greenhouse", "door open", "north", "reed", 1.0);
  ids[0] = tracker.lastEventId();
  results[1] = tracker.trackSensorReading("dht22", "temperature", 21.5, "C");
  ids[1] = tracker.lastEventId();
  results[2] = tracker.trackSensorReading("dht22", "humidity", 48.25, "%");
  ids[2] = tracker.lastEventId();
  PyplowSelfDescribing firmware("iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0");
  firmware.addString("version", "0.1.0");
  tracker.setContexts(&firmware, 1);
  results[3] = tracker.trackSensorReading("bh1750", "illuminance", 320, "lx", 0);
  ids[3] = tracker.lastEventId();
  fake_arduino::useRealTime(false);
  for (int result : results) CHECK_EQ(result, 200);

  std::string counts;
  for (int i = 0; i < 200; ++i) {
    httpGet(pipeline.port, "/micro/all", &counts);
    if (counts.find("\"total\":4") != std::string::npos) break;
    sleepMs(100);
  }
  std::string bad;
  CHECK_EQ(httpGet(pipeline.port, "/micro/bad", &bad), 200);
  CHECK_EQ(bad, std::string("[]"));
  CHECK_EQ(counts, std::string("{\"total\":4,\"good\":4,\"bad\":0}"));

  std::string events[4];
  for (int i = 0; i < 4; ++i) {
    CHECK_EQ(httpGet(pipeline.port, "/micro/events/" + ids[i], &events[i]), 200);
    const std::string& e = events[i];
    CHECK(has(e, "\"event_id\":\"" + ids[i] + "\""));
    CHECK(has(e, "\"v_tracker\":\"pyplow-arduino-0.1.0\""));
    CHECK(has(e, "\"platform\":\"iot\""));
    CHECK(has(e, "\"app_id\":\"greenhouse\""));
    CHECK(has(e, "\"name_tracker\":\"arduino-e2e\""));
    CHECK(has(e, "\"user_id\":\"90:a2:da:0f:25:1c\""));
    CHECK(has(e, "\"useragent\":\"pyplow-arduino-0.1.0\""));
    CHECK(has(e, "\"dvce_created_tstamp\":\"20"));
    CHECK(has(e, "\"dvce_sent_tstamp\":\"20"));
  }
  CHECK(has(events[0], "\"event\":\"struct\""));
  CHECK(has(events[0], "\"se_category\":\"greenhouse\""));
  CHECK(has(events[0], "\"se_action\":\"door open\""));
  CHECK(has(events[0], "\"se_label\":\"north\""));
  CHECK(has(events[0], "\"se_property\":\"reed\""));
  CHECK(has(events[0], "\"se_value\":1"));
  const std::string reading = "\"schema\":\"iglu:com.pyplow/sensor_reading/jsonschema/1-0-0\"";
  CHECK(has(events[1], "\"eventType\":\"unstruct\""));
  CHECK(has(events[1], reading));
  CHECK(has(events[1], "\"sensor\":\"dht22\""));
  CHECK(has(events[1], "\"quantity\":\"temperature\""));
  CHECK(has(events[1], "\"value\":21.5"));
  CHECK(has(events[1], "\"unit\":\"C\""));
  CHECK(has(events[2], "\"value\":48.25"));
  CHECK(has(events[2], "\"unit\":\"%\""));
  CHECK(has(events[3], "\"value\":320"));
  CHECK(has(events[3],
            "\"contexts\":[\"iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0\"]"));
  CHECK(has(events[3], "\"version\":\"0.1.0\""));
}
