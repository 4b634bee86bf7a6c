-- Small helpers shared by the tracker and the emitter: URL encoding, decimal text, clocks, random
-- bytes and UUID v4 event ids. Plain Lua, no C modules.

local util = {}

local floor, format, byte, concat = math.floor, string.format, string.byte, table.concat

--- Percent-encodes everything but the unreserved characters A-Z a-z 0-9 - . _ ~ (space is %20).
function util.url_encode(s)
  return (
    s:gsub("[^A-Za-z0-9%-%._~]", function(c)
      return format("%%%02X", byte(c))
    end)
  )
end

--- Decodes %XX escapes and '+' (for tests and for reading querystrings).
function util.url_decode(s)
  return (
    s:gsub("%+", " "):gsub("%%(%x%x)", function(h)
      return string.char(tonumber(h, 16))
    end)
  )
end

--- `k=v&k=v` from a table of string values, keys in sorted order; `last` pairs come at the end.
function util.query(params, last)
  local keys = {}
  for k in pairs(params) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    out[#out + 1] = util.url_encode(k) .. "=" .. util.url_encode(params[k])
  end
  for _, kv in ipairs(last or {}) do
    out[#out + 1] = util.url_encode(kv[1]) .. "=" .. util.url_encode(kv[2])
  end
  return concat(out, "&")
end

--- A number as a plain decimal without exponent (what Enrich's decimal fields such as se_va
--- expect): 19.99 -> "19.99", 1e-7 -> "0.0000001", 3 -> "3".
function util.decimal(n)
  if type(n) ~= "number" or n ~= n or n == math.huge or n == -math.huge then
    error("expected a finite number, got " .. tostring(n), 3)
  end
  local text = require("pyplow_tracker.json").number_text(n)
  local sign, int, frac, exp = text:match("^(-?)(%d+)%.?(%d*)[eE]([-+]?%d+)$")
  if not sign then
    return text
  end
  exp = tonumber(exp)
  local mantissa = int .. frac -- the digits, with the point after #int digits
  local point = #int + exp
  local result
  if point <= 0 then
    result = "0." .. string.rep("0", -point) .. mantissa
  elseif point >= #mantissa then
    result = mantissa .. string.rep("0", point - #mantissa)
  else
    result = mantissa:sub(1, point) .. "." .. mantissa:sub(point + 1)
  end
  result = result:gsub("^0+(%d)", "%1")
  if result:find("%.") then
    result = result:gsub("0+$", ""):gsub("%.$", "")
  end
  return sign .. result
end

--- A clock reading (ms) as whole-number text, whatever the number subtype.
function util.ms_text(ms)
  return string.format("%.0f", floor(ms))
end

--- Milliseconds since the epoch: LuaSocket's gettime when it is there, else os.time().
function util.default_clock()
  local ok, socket = pcall(require, "socket")
  if ok and type(socket) == "table" and socket.gettime then
    local gettime = socket.gettime
    return function()
      return floor(gettime() * 1000)
    end
  end
  return function()
    return os.time() * 1000
  end
end

--- A function giving n random bytes as a string: /dev/urandom when it can be read, else
--- math.random (seed it yourself on Lua 5.1-5.3 and LuaJIT, or pass your own function).
function util.default_random_bytes()
  local file = io and io.open and io.open("/dev/urandom", "rb")
  if file then
    return function(n)
      local bytes = file:read(n)
      if bytes and #bytes == n then
        return bytes
      end
      local out = {}
      for i = 1, n do
        out[i] = string.char(math.random(0, 255))
      end
      return concat(out)
    end
  end
  return function(n)
    local out = {}
    for i = 1, n do
      out[i] = string.char(math.random(0, 255))
    end
    return concat(out)
  end
end

--- A random (version 4) UUID, lower case, from 16 bytes of `random_bytes(16)`.
function util.uuid4(random_bytes)
  local b = { byte(random_bytes(16), 1, 16) }
  if #b ~= 16 then
    error("random_bytes(16) must return 16 bytes", 2)
  end
  b[7] = 0x40 + b[7] % 16 -- version 4
  b[9] = 0x80 + b[9] % 64 -- RFC 4122 variant
  return format(
    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
    b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
    b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16]
  )
end

return util
