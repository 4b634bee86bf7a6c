-- Base64 in plain Lua with arithmetic only (Lua 5.1 has no bit operators), standard or URL-safe.
--
-- The tracker sends self-describing JSON as URL-safe base64 without '=' padding (the form the
-- browser tracker uses); collectors and Enrich accept either alphabet, padded or not.

local base64 = {}

local floor, byte, char, concat = math.floor, string.byte, string.char, table.concat

local STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function digits(alphabet)
  local t = {}
  for i = 1, 64 do
    t[i - 1] = alphabet:sub(i, i)
  end
  return t
end

local standard_digits, url_digits = digits(STANDARD), digits(URL_SAFE)

local values = {}
for i = 1, 64 do
  values[byte(STANDARD, i)] = i - 1
  values[byte(URL_SAFE, i)] = i - 1
end

--- Base64 of the bytes of `s`. options.url: URL-safe alphabet; options.pad: add '=' (default
--- true for the standard alphabet, false for the URL-safe one).
function base64.encode(s, options)
  local url = options and options.url
  local pad = options and options.pad
  if pad == nil then
    pad = not url
  end
  local d = url and url_digits or standard_digits
  local out = {}
  local len = #s
  for i = 1, len - 2, 3 do
    local a, b, c = byte(s, i, i + 2)
    local n = a * 65536 + b * 256 + c
    out[#out + 1] = d[floor(n / 262144)] .. d[floor(n / 4096) % 64] .. d[floor(n / 64) % 64] .. d[n % 64]
  end
  local rest = len % 3
  if rest == 1 then
    local n = byte(s, len) * 65536
    out[#out + 1] = d[floor(n / 262144)] .. d[floor(n / 4096) % 64] .. (pad and "==" or "")
  elseif rest == 2 then
    local a, b = byte(s, len - 1, len)
    local n = a * 65536 + b * 256
    out[#out + 1] = d[floor(n / 262144)] .. d[floor(n / 4096) % 64] .. d[floor(n / 64) % 64] .. (pad and "=" or "")
  end
  return concat(out)
end

--- URL-safe base64 without padding (what the tracker puts in ue_px and cx).
function base64.encode_url(s)
  return base64.encode(s, { url = true, pad = false })
end

--- Decodes either alphabet, with or without padding; other characters are ignored.
function base64.decode(s)
  local out = {}
  local n, count = 0, 0
  for i = 1, #s do
    local v = values[byte(s, i)]
    if v then
      n = n * 64 + v
      count = count + 1
      if count == 4 then
        out[#out + 1] = char(floor(n / 65536), floor(n / 256) % 256, n % 256)
        n, count = 0, 0
      end
    end
  end
  if count == 2 then
    out[#out + 1] = char(floor(n / 16))
  elseif count == 3 then
    out[#out + 1] = char(floor(n / 1024), floor(n / 4) % 256)
  end
  return concat(out)
end

return base64
