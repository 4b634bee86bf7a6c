-- JSON in plain Lua (no C module), for Lua 5.1-5.4 and LuaJIT.
--
-- The encoder is compact and writes object keys in sorted order, so the same table always gives
-- the same text (requests can be compared byte for byte in tests). A Lua table is an array when
-- its keys are exactly 1..n (n >= 1); an empty table is an object unless it was made with
-- json.array(). json.null stands for JSON null (nil cannot be stored in a table).
--
-- The decoder is small and strict enough for reading collector and Micro answers: it returns
-- arrays marked with json.array (so they encode back as arrays) and json.null for null.

local json = {}

local array_mt = { __name = "json.array" }
local object_mt = { __name = "json.object" }

json.null = setmetatable({}, {
  __name = "json.null",
  __tostring = function()
    return "null"
  end,
})

--- Marks a table as a JSON array (needed only for empty arrays).
function json.array(t)
  return setmetatable(t or {}, array_mt)
end

--- Marks a table as a JSON object (needed only for objects with keys 1..n).
function json.object(t)
  return setmetatable(t or {}, object_mt)
end

local floor, huge = math.floor, math.huge
local format, byte, char, concat = string.format, string.byte, string.char, table.concat
local math_type = math.type -- nil before Lua 5.3

local short_escapes = {
  ['"'] = '\\"',
  ["\\"] = "\\\\",
  ["\b"] = "\\b",
  ["\f"] = "\\f",
  ["\n"] = "\\n",
  ["\r"] = "\\r",
  ["\t"] = "\\t",
}

local function escape_char(c)
  return short_escapes[c] or format("\\u%04x", byte(c))
end

local function quote(s)
  return '"' .. s:gsub('[%z\1-\31"\\\127]', escape_char) .. '"'
end
json.quote = quote

--- The shortest text that reads back as the same number (JSON allows an exponent).
local function number_text(n)
  if n ~= n or n == huge or n == -huge then
    error("JSON cannot represent the number " .. tostring(n), 3)
  end
  if math_type and math_type(n) == "integer" then
    return format("%d", n)
  end
  if n == floor(n) and n > -2 ^ 53 and n < 2 ^ 53 then
    if n == 0 then
      return "0"
    end
    return format("%.0f", n)
  end
  local text
  for precision = 1, 17 do
    text = format("%." .. precision .. "g", n)
    if tonumber(text) == n then
      break
    end
  end
  return text
end
json.number_text = number_text

local function is_array(t)
  local mt = getmetatable(t)
  if mt == array_mt then
    return true
  elseif mt == object_mt then
    return false
  end
  local n = #t
  if n == 0 then
    return false
  end
  local count = 0
  for _ in pairs(t) do
    count = count + 1
  end
  return count == n
end

local encode_value

local function encode_table(t, out, seen)
  if seen[t] then
    error("JSON cannot represent a table that contains itself", 0)
  end
  seen[t] = true
  if is_array(t) then
    out[#out + 1] = "["
    for i = 1, #t do
      if i > 1 then
        out[#out + 1] = ","
      end
      encode_value(t[i], out, seen)
    end
    out[#out + 1] = "]"
  else
    local keys = {}
    for k in pairs(t) do
      local kind = type(k)
      if kind == "number" then
        k = number_text(k)
      elseif kind ~= "string" then
        error("JSON object keys must be strings, got a " .. kind, 0)
      end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      local v = t[k]
      if v == nil then -- the key was a number
        v = t[tonumber(k)]
      end
      if i > 1 then
        out[#out + 1] = ","
      end
      out[#out + 1] = quote(k)
      out[#out + 1] = ":"
      encode_value(v, out, seen)
    end
    out[#out + 1] = "}"
  end
  seen[t] = nil
end

function encode_value(v, out, seen)
  local kind = type(v)
  if kind == "string" then
    out[#out + 1] = quote(v)
  elseif kind == "number" then
    out[#out + 1] = number_text(v)
  elseif kind == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif v == json.null then
    out[#out + 1] = "null"
  elseif kind == "table" then
    encode_table(v, out, seen)
  else
    error("JSON cannot represent a " .. kind, 0)
  end
end

--- Compact JSON text of a Lua value. Raises an error for functions, NaN, cycles, and so on.
function json.encode(value)
  local out = {}
  encode_value(value, out, {})
  return concat(out)
end

-- Decoding -------------------------------------------------------------------------------------

local function decode_error(text, pos, what)
  error(format("invalid JSON at byte %d: %s", pos, what), 0)
end

local function skip(text, pos)
  return text:find("[^ \t\r\n]", pos) or #text + 1
end

local function utf8_char(code)
  if code < 0x80 then
    return char(code)
  elseif code < 0x800 then
    return char(0xC0 + floor(code / 0x40), 0x80 + code % 0x40)
  elseif code < 0x10000 then
    return char(0xE0 + floor(code / 0x1000), 0x80 + floor(code / 0x40) % 0x40, 0x80 + code % 0x40)
  end
  return char(
    0xF0 + floor(code / 0x40000),
    0x80 + floor(code / 0x1000) % 0x40,
    0x80 + floor(code / 0x40) % 0x40,
    0x80 + code % 0x40
  )
end

local unescapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }

local function decode_string(text, pos)
  -- pos is just after the opening quote
  local parts = {}
  while true do
    local stop = text:find('["\\%z\1-\31]', pos)
    if not stop then
      decode_error(text, pos, "unterminated string")
    end
    parts[#parts + 1] = text:sub(pos, stop - 1)
    local c = text:sub(stop, stop)
    if c == '"' then
      return concat(parts), stop + 1
    elseif c ~= "\\" then
      decode_error(text, stop, "control character in string")
    end
    local e = text:sub(stop + 1, stop + 1)
    if e == "u" then
      local hex = text:match("^%x%x%x%x", stop + 2)
      if not hex then
        decode_error(text, stop, "bad \\u escape")
      end
      local code = tonumber(hex, 16)
      pos = stop + 6
      if code >= 0xD800 and code <= 0xDBFF then
        local low = text:match("^\\u(%x%x%x%x)", pos)
        local low_code = low and tonumber(low, 16)
        if low_code and low_code >= 0xDC00 and low_code <= 0xDFFF then
          code = 0x10000 + (code - 0xD800) * 0x400 + (low_code - 0xDC00)
          pos = pos + 6
        else
          code = 0xFFFD
        end
      elseif code >= 0xDC00 and code <= 0xDFFF then
        code = 0xFFFD
      end
      parts[#parts + 1] = utf8_char(code)
    elseif unescapes[e] then
      parts[#parts + 1] = unescapes[e]
      pos = stop + 2
    else
      decode_error(text, stop, "bad escape")
    end
  end
end

local decode_value

local function decode_array(text, pos)
  local result = json.array()
  pos = skip(text, pos)
  if text:sub(pos, pos) == "]" then
    return result, pos + 1
  end
  while true do
    local value
    value, pos = decode_value(text, pos)
    result[#result + 1] = value
    pos = skip(text, pos)
    local c = text:sub(pos, pos)
    if c == "]" then
      return result, pos + 1
    elseif c ~= "," then
      decode_error(text, pos, "expected ',' or ']'")
    end
    pos = pos + 1
  end
end

local function decode_object(text, pos)
  local result = json.object()
  pos = skip(text, pos)
  if text:sub(pos, pos) == "}" then
    return result, pos + 1
  end
  while true do
    if text:sub(pos, pos) ~= '"' then
      decode_error(text, pos, "expected a string key")
    end
    local key
    key, pos = decode_string(text, pos + 1)
    pos = skip(text, pos)
    if text:sub(pos, pos) ~= ":" then
      decode_error(text, pos, "expected ':'")
    end
    local value
    value, pos = decode_value(text, pos + 1)
    result[key] = value
    pos = skip(text, pos)
    local c = text:sub(pos, pos)
    if c == "}" then
      return result, pos + 1
    elseif c ~= "," then
      decode_error(text, pos, "expected ',' or '}'")
    end
    pos = skip(text, pos + 1)
  end
end

local literals = { ["true"] = true, ["false"] = false }

function decode_value(text, pos)
  pos = skip(text, pos)
  local c = text:sub(pos, pos)
  if c == "{" then
    return decode_object(text, pos + 1)
  elseif c == "[" then
    return decode_array(text, pos + 1)
  elseif c == '"' then
    return decode_string(text, pos + 1)
  elseif c == "n" and text:sub(pos, pos + 3) == "null" then
    return json.null, pos + 4
  end
  for word, value in pairs(literals) do
    if text:sub(pos, pos + #word - 1) == word then
      return value, pos + #word
    end
  end
  local number = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if number and tonumber(number) then
    return tonumber(number), pos + #number
  end
  decode_error(text, pos, "unexpected " .. (c == "" and "end of text" or ("'" .. c .. "'")))
end

--- The Lua value of a JSON text. Raises "invalid JSON at byte N: ..." on malformed input.
function json.decode(text)
  local value, pos = decode_value(text, 1)
  pos = skip(text, pos)
  if pos <= #text then
    decode_error(text, pos, "trailing characters")
  end
  return value
end

return json
