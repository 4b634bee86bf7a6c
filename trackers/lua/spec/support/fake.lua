-- Test doubles: a recording transport, a clock the test moves, and counting random bytes.
local fake = {}

--- A transport that records requests and answers from `answers` in turn (a status number, or
--- false for "no answer"); 200 once they run out.
function fake.transport(answers)
  local t = { requests = {}, answers = answers or {} }
  function t.send(request)
    t.requests[#t.requests + 1] = request
    local answer = table.remove(t.answers, 1)
    if answer == nil then
      return 200
    elseif answer == false then
      return nil, "connection refused"
    end
    return answer
  end
  return t
end

--- A clock (ms) starting at `start`; clock.advance(ms) moves it; clock.fn reads it.
function fake.clock(start)
  local c = { now = start or 1700000000000 }
  function c.fn()
    return c.now
  end
  function c.advance(ms)
    c.now = c.now + ms
  end
  return c
end

--- Random bytes 0, 1, 2, ... (wrapping at 256), so event ids are predictable.
function fake.random_bytes()
  local next_byte = 0
  return function(n)
    local out = {}
    for i = 1, n do
      out[i] = string.char(next_byte % 256)
      next_byte = next_byte + 1
    end
    return table.concat(out)
  end
end

--- The querystring of a URL as a table.
function fake.query(url)
  local util = require("pyplow_tracker.util")
  local params = {}
  for pair in (url:match("%?(.*)$") or ""):gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    params[util.url_decode(k)] = util.url_decode(v)
  end
  return params
end

return fake
