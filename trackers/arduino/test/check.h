// A very small test harness: TEST(name) { ... CHECK(cond); CHECK_EQ(a, b); }. A failed check
// prints where and what, and ends that test; check::run() runs every test in file order and
// returns the process exit status.
#ifndef CHECK_H
#define CHECK_H

#include <cstdio>
#include <string>
#include <vector>

namespace check {

struct Case {
  const char* name;
  void (*body)();
};

inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}

struct Registration {
  Registration(const char* name, void (*body)()) { cases().push_back({name, body}); }
};

inline bool& failed() {
  static bool flag = false;
  return flag;
}

inline std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += (char)c;
    }
  }
  return out + "\"";
}

inline std::string show(const std::string& v) { return quoted(v); }
inline std::string show(const char* v) { return v ? quoted(v) : "nullptr"; }
inline std::string show(char v) { return quoted(std::string(1, v)); }
inline std::string show(bool v) { return v ? "true" : "false"; }
template <typename T>
std::string show(const T& v) {  // numbers
  return std::to_string(v);
}

inline void fail(const char* file, int line, const std::string& what) {
  std::printf("    %s:%d: %s\n", file, line, what.c_str());
  failed() = true;
}

// Runs the tests whose name contains `only` (all when it is empty).
inline int run(const std::string& only = "") {
  int passed = 0, failures = 0;
  for (const Case& c : cases()) {
    if (!only.empty() && std::string(c.name).find(only) == std::string::npos) continue;
    failed() = false;
    c.body();
    std::printf("%s %s\n", failed() ? "FAIL" : "ok  ", c.name);
    (failed() ? failures : passed)++;
  }
  std::printf("\n%d passed, %d failed\n", passed, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace check

#define TEST(name)                                                   \
  static void name();                                                \
  static check::Registration name##_registration(#name, name);       \
  static void name()

#define CHECK(condition)                                             \
  do {                                                               \
    if (!(condition)) {                                              \
      check::fail(__FILE__, __LINE__, "CHECK(" #condition ") failed"); \
      return;                                                        \
    }                                                                \
  } while (0)

#define CHECK_EQ(actual, expected)                                                 \
  do {                                                                             \
    const auto check_a = (actual); /* copies: (actual) may refer into a temporary */ \
    const auto check_e = (expected);                                               \
    if (!(check_a == check_e)) {                                                   \
      check::fail(__FILE__, __LINE__,                                              \
                  std::string(#actual " == " #expected "\n      actual:   ") +     \
                      check::show(check_a) + "\n      expected: " + check::show(check_e)); \
      return;                                                                      \
    }                                                                              \
  } while (0)

#endif
