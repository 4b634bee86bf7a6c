-- Emitter: buffers events and sends them to a collector, GET /i (one event per request) or
-- POST /com.snowplowanalytics.snowplow/tp2 (a payload_data batch), with retries.
--
-- Lua has no threads, so nothing happens behind the caller's back: events are sent from
-- `input` (when a batch is full), `flush` and `tick`. A game calls `tick()` once a frame or so;
-- it sends what has waited `flush_interval` seconds and retries failed requests when their
-- back-off has passed. Without a `sleep` function a failed request never blocks: it is retried
-- by a later call. With one (e.g. LuaSocket's socket.sleep) `flush()` waits out the back-off.

local json = require("pyplow_tracker.json")
local util = require("pyplow_tracker.util")
local transport = require("pyplow_tracker.transport")

local Emitter = {}
Emitter.__index = Emitter

Emitter.PAYLOAD_DATA_SCHEMA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
Emitter.POST_PATH = "/com.snowplowanalytics.snowplow/tp2"
Emitter.GET_PATH = "/i"
Emitter.CONTENT_TYPE = "application/json; charset=utf-8"

local OPTIONS = {
  endpoint = "string", method = "string", batch_size = "number", max_bytes = "number",
  flush_interval = "number", max_retries = "number", backoff = "number", max_backoff = "number",
  max_queue = "number", transport = "function", clock = "function", sleep = "function",
  timeout = "number", on_success = "function", on_failure = "function", user_agent = "string",
}

--- Emitter.new{endpoint = "http://host:port", method = "post"|"get", batch_size, max_bytes,
--- flush_interval, max_retries, backoff, max_backoff, max_queue, transport, clock, sleep,
--- timeout, on_success, on_failure, user_agent}; see the README for the meaning and defaults.
function Emitter.new(options)
  options = options or {}
  for name, value in pairs(options) do
    local kind = OPTIONS[name]
    if not kind then
      error("unknown emitter option '" .. tostring(name) .. "'", 2)
    elseif type(value) ~= kind then
      error("emitter option '" .. name .. "' must be a " .. kind .. ", got a " .. type(value), 2)
    end
  end
  local endpoint = options.endpoint
  if not endpoint then
    error("the emitter needs an endpoint, e.g. 'http://localhost:9090'", 2)
  end
  if not endpoint:find("^https?://") then
    endpoint = "http://" .. endpoint
  end
  endpoint = endpoint:gsub("/+$", "")
  local method = (options.method or "post"):upper()
  if method ~= "GET" and method ~= "POST" then
    error("emitter method must be 'get' or 'post', got '" .. options.method .. "'", 2)
  end
  local send = options.transport
  if not send then
    local err
    send, err = transport.luasocket(options.timeout)
    if not send then
      error(err .. "; install it (Debian: lua-socket) or pass a transport function", 2)
    end
  end
  local self = setmetatable({
    endpoint = endpoint,
    method = method,
    batch_size = options.batch_size or (method == "POST" and 10 or 1),
    max_bytes = options.max_bytes or 40000,
    flush_interval = options.flush_interval or 10,
    max_retries = options.max_retries or 3,
    backoff = options.backoff or 1,
    max_backoff = options.max_backoff or 60,
    max_queue = options.max_queue or 1000,
    transport = send,
    clock = options.clock or util.default_clock(),
    sleep = options.sleep,
    on_success = options.on_success,
    on_failure = options.on_failure,
    user_agent = options.user_agent or "pyplow-lua-tracker",
    queue = {}, -- events waiting, oldest first
    first_queued = nil, -- clock (ms) when the oldest waiting event was queued
    attempts = 0, -- failed attempts of the request at the head of the queue
    retry_at = nil, -- clock (ms) before which the head is not retried
    dropped = 0, -- events given up (queue overflow or retries used up)
    sent = 0, -- events a collector accepted
  }, Emitter)
  if self.batch_size < 1 or self.max_queue < 1 or self.max_retries < 0 then
    error("batch_size and max_queue must be >= 1, max_retries >= 0", 2)
  end
  return self
end

local function call_back(fn, ...)
  if fn then
    local ok, err = pcall(fn, ...)
    if not ok and io and io.stderr then
      io.stderr:write("pyplow_tracker: callback failed: ", tostring(err), "\n")
    end
  end
end

--- Number of events waiting to be sent.
function Emitter:pending()
  return #self.queue
end

--- Queues one event (a table of protocol parameters, string values) and sends if a batch is due.
function Emitter:input(event)
  local queue = self.queue
  if #queue >= self.max_queue then
    local oldest = table.remove(queue, 1)
    self.dropped = self.dropped + 1
    call_back(self.on_failure, { oldest }, "the queue is full (max_queue " .. self.max_queue .. ")")
  end
  if #queue == 0 then
    self.first_queued = self.clock()
  end
  queue[#queue + 1] = event
  if #queue >= self.batch_size then
    self:flush()
  end
end

--- Sends what is due: call it regularly (e.g. each frame). Returns true when nothing waits.
function Emitter:tick()
  local n = #self.queue
  if n == 0 then
    return true
  end
  local now = self.clock()
  if self.retry_at then
    if now >= self.retry_at then
      return self:flush()
    end
    return false
  end
  if n >= self.batch_size or now - (self.first_queued or now) >= self.flush_interval * 1000 then
    return self:flush()
  end
  return false
end

-- The events of the next request: one for GET, up to batch_size within max_bytes for POST.
function Emitter:_next_batch()
  local queue = self.queue
  if self.method == "GET" then
    return { queue[1] }
  end
  local batch, size = {}, 100
  for i = 1, math.min(#queue, self.batch_size) do
    local bytes = #json.encode(queue[i]) + 25 -- the comma and the stm parameter
    if i > 1 and size + bytes > self.max_bytes then
      break
    end
    batch[i] = queue[i]
    size = size + bytes
  end
  return batch
end

--- The HTTP request for a batch of events, with stm (send time, ms) added to each.
function Emitter:request_for(batch, stm)
  stm = tostring(stm)
  if self.method == "GET" then
    return {
      method = "GET",
      url = self.endpoint .. Emitter.GET_PATH .. "?" .. util.query(batch[1], { { "stm", stm } }),
      headers = { ["user-agent"] = self.user_agent },
    }
  end
  local data = {}
  for i, event in ipairs(batch) do
    local copy = { stm = stm }
    for k, v in pairs(event) do
      copy[k] = v
    end
    data[i] = copy
  end
  local body = json.encode({ schema = Emitter.PAYLOAD_DATA_SCHEMA, data = json.array(data) })
  return {
    method = "POST",
    url = self.endpoint .. Emitter.POST_PATH,
    headers = {
      ["content-type"] = Emitter.CONTENT_TYPE,
      ["content-length"] = tostring(#body),
      ["user-agent"] = self.user_agent,
    },
    body = body,
  }
end

-- One attempt; true, or false and the reason.
function Emitter:_send(batch)
  local request = self:request_for(batch, util.ms_text(self.clock()))
  local ok, status, err = pcall(self.transport, request)
  if not ok then
    return false, "transport error: " .. tostring(status)
  elseif type(status) ~= "number" then
    return false, tostring(err or "no answer")
  elseif status < 200 or status > 299 then
    return false, "HTTP " .. status
  end
  return true
end

local function remove_head(queue, n)
  for _ = 1, n do
    table.remove(queue, 1)
  end
end

--- Sends every waiting event. Returns true when all were sent or given up; false when a failed
--- request waits for its back-off (only without `sleep`: with it, flush waits and retries).
function Emitter:flush()
  local queue = self.queue
  while #queue > 0 do
    if self.retry_at then
      local wait = self.retry_at - self.clock()
      if wait > 0 then
        if not self.sleep then
          return false
        end
        self.sleep(wait / 1000)
      end
    end
    local batch = self:_next_batch()
    local ok, reason = self:_send(batch)
    if ok then
      remove_head(queue, #batch)
      self.attempts, self.retry_at = 0, nil
      self.sent = self.sent + #batch
      call_back(self.on_success, batch)
    else
      self.attempts = self.attempts + 1
      if self.attempts > self.max_retries then
        remove_head(queue, #batch)
        self.attempts, self.retry_at = 0, nil
        self.dropped = self.dropped + #batch
        call_back(self.on_failure, batch, reason)
      else
        local delay = math.min(self.max_backoff, self.backoff * 2 ^ (self.attempts - 1))
        self.retry_at = self.clock() + delay * 1000
      end
    end
    if #queue > 0 and not self.retry_at then
      self.first_queued = self.clock()
    end
  end
  return true
end

return Emitter
