local plow = require("pyplow_tracker")
local fake = require("support.fake")
local json = plow.json

local function event(n)
  return { e = "se", se_ca = "c", se_ac = "a" .. n, p = "pc", tv = "t" }
end

local function emitter(options, answers)
  local transport = fake.transport(answers)
  local clock = fake.clock()
  local o = { endpoint = "http://c.test", transport = transport.send, clock = clock.fn }
  for k, v in pairs(options or {}) do
    o[k] = v
  end
  return plow.emitter(o), transport, clock
end

local function actions(request)
  local out = {}
  for i, e in ipairs(json.decode(request.body).data) do
    out[i] = e.se_ac
  end
  return table.concat(out, ",")
end

describe("the emitter", function()
  it("sends a POST batch when batch_size events wait, and the rest on flush", function()
    local e, t = emitter({ batch_size = 3 })
    for i = 1, 7 do
      e:input(event(i))
    end
    assert.equal(2, #t.requests)
    assert.equal("a1,a2,a3", actions(t.requests[1]))
    assert.equal("a4,a5,a6", actions(t.requests[2]))
    assert.equal(1, e:pending())
    assert.is_true(e:flush())
    assert.equal("a7", actions(t.requests[3]))
    assert.equal(7, e.sent)
    assert.equal(0, e:pending())
  end)

  it("keeps a POST body under max_bytes (a single larger event still goes)", function()
    local e, t = emitter({ batch_size = 10, max_bytes = 300 })
    for i = 1, 4 do
      e:input(event(i))
    end
    local big = event(5)
    big.se_la = string.rep("x", 500)
    e:input(big)
    e:flush()
    for _, r in ipairs(t.requests) do
      assert.is_true(#r.body <= 300 or #json.decode(r.body).data == 1)
    end
    assert.equal(5, e.sent)
    assert.is_true(#t.requests >= 3)
  end)

  it("sends one GET per event, immediately by default", function()
    local e, t = emitter({ method = "GET" })
    e:input(event(1))
    e:input(event(2))
    assert.equal(2, #t.requests)
    assert.equal("a2", fake.query(t.requests[2].url).se_ac)
  end)

  it("sends on tick() once flush_interval has passed", function()
    local e, t, clock = emitter({ batch_size = 10, flush_interval = 5 })
    e:input(event(1))
    assert.is_false(e:tick())
    clock.advance(4999)
    e:tick()
    assert.equal(0, #t.requests)
    clock.advance(1)
    assert.is_true(e:tick())
    assert.equal(1, #t.requests)
  end)

  it("retries a failed request after an exponential back-off, without blocking", function()
    local failures = {}
    local e, t, clock = emitter({ method = "GET", backoff = 2, max_retries = 3,
      on_failure = function(events, reason) failures[#failures + 1] = reason end }, { 503, false, 500 })
    e:input(event(1))
    assert.equal(1, #t.requests) -- 503
    assert.equal(1, e:pending())
    clock.advance(1999)
    assert.is_false(e:tick())
    assert.equal(1, #t.requests)
    clock.advance(1)
    e:tick()
    assert.equal(2, #t.requests) -- no answer: wait 4 s
    clock.advance(3999)
    assert.is_false(e:flush())
    clock.advance(1)
    e:tick()
    assert.equal(3, #t.requests) -- 500: wait 8 s
    clock.advance(8000)
    assert.is_true(e:tick())
    assert.equal(4, #t.requests) -- 200
    assert.equal(0, e:pending())
    assert.same({}, failures)
    -- every attempt carries its own send time
    assert.are_not.equal(fake.query(t.requests[1].url).stm, fake.query(t.requests[4].url).stm)
  end)

  it("gives up after max_retries and reports the events", function()
    local given_up = {}
    local e, t = emitter({ method = "GET", max_retries = 2, sleep = function() end,
      on_failure = function(events, reason) given_up[#given_up + 1] = { events, reason } end },
      { 500, 500, 500 })
    e:input(event(1))
    assert.equal(3, #t.requests)
    assert.equal(1, #given_up)
    assert.equal("a1", given_up[1][1][1].se_ac)
    assert.equal("HTTP 500", given_up[1][2])
    assert.equal(1, e.dropped)
    assert.equal(0, e:pending())
  end)

  it("waits out the back-off with a sleep function", function()
    local slept = {}
    local e, t, clock
    e, t, clock = emitter({ method = "GET", backoff = 0.5, sleep = function(s)
      slept[#slept + 1] = s
      clock.advance(s * 1000)
    end }, { 502, 502 })
    e:input(event(1))
    assert.equal(3, #t.requests)
    assert.same({ 0.5, 1 }, slept)
    assert.equal(1, e.sent)
  end)

  it("drops the oldest event when the queue is full", function()
    local dropped = {}
    local e = emitter({ batch_size = 100, max_queue = 3,
      on_failure = function(events) dropped[#dropped + 1] = events[1].se_ac end })
    for i = 1, 5 do
      e:input(event(i))
    end
    assert.same({ "a1", "a2" }, dropped)
    assert.equal(3, e:pending())
    assert.equal(2, e.dropped)
  end)

  it("treats a transport error as a failure and survives a failing callback", function()
    local e = plow.emitter({ endpoint = "c.test", method = "get", max_retries = 0,
      transport = function() error("boom") end, on_failure = function() error("callback bug") end })
    local stderr = io.stderr
    io.stderr = { write = function() end } -- keep the test output quiet
    e:input(event(1))
    io.stderr = stderr
    assert.equal(1, e.dropped)
  end)

  it("checks its options", function()
    assert.has_error(function() plow.emitter({ transport = print }) end)
    assert.has_error(function() plow.emitter({ endpoint = "x", method = "put", transport = print }) end)
    assert.has_error(function() plow.emitter({ endpoint = "x", batchsize = 3, transport = print }) end)
    assert.has_error(function() plow.emitter({ endpoint = "x", batch_size = "3", transport = print }) end)
  end)

  it("uses LuaSocket by default, and reports a refused connection as a failure", function()
    local socket = require("socket")
    local server = assert(socket.bind("127.0.0.1", 0))
    local _, port = server:getsockname()
    server:close() -- nothing listens there now
    local reason
    local e = plow.emitter({ endpoint = "http://127.0.0.1:" .. port, method = "get", max_retries = 0,
      timeout = 2, on_failure = function(_, r) reason = r end })
    e:input(event(1))
    assert.equal(1, e.dropped)
    assert.matches("refused", reason)
  end)
end)
