#include "helpers.h"

#include <cstdlib>

static const char STANDARD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64UrlNoPad(const std::string& bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    for (int k = 3; k >= 0; --k) out += STANDARD[(n >> (6 * k)) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    unsigned n = (unsigned char)bytes[i] << 16;
    out += STANDARD[(n >> 18) & 63];
    out += STANDARD[(n >> 12) & 63];
  } else if (rest == 2) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += STANDARD[(n >> 18) & 63];
    out += STANDARD[(n >> 12) & 63];
    out += STANDARD[(n >> 6) & 63];
  }
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string base64Decode(const std::string& text) {
  std::string out;
  unsigned n = 0;
  int count = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else continue;
    n = n << 6 | (unsigned)v;
    if (++count == 4) {
      out += (char)(n >> 16);
      out += (char)(n >> 8);
      out += (char)n;
      n = 0;
      count = 0;
    }
  }
  if (count == 2) out += (char)(n >> 4);
  if (count == 3) {
    out += (char)(n >> 10);
    out += (char)(n >> 2);
  }
  return out;
}

std::string urlDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += (char)std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16);
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> queryOf(const std::string& request) {
  std::map<std::string, std::string> params;
  size_t start = request.find('?');
  size_t end = request.find(' ', start);
  if (start == std::string::npos || end == std::string::npos) return params;
  std::string query = request.substr(start + 1, end - start - 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    params[urlDecode(pair.substr(0, eq))] = eq == std::string::npos ? "" : urlDecode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  return params;
}
