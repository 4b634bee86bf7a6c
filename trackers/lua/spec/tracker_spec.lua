local plow = require("pyplow_tracker")
local fake = require("support.fake")
local json, base64 = plow.json, plow.base64

local ID1 = "00010203-0405-4607-8809-0a0b0c0d0e0f" -- the first id from fake.random_bytes()
local ID2 = "10111213-1415-4617-9819-1a1b1c1d1e1f"
local T0 = 1700000000000

local function setup(method, options)
  local transport = fake.transport()
  local clock = fake.clock(T0)
  local emitter = plow.emitter({
    endpoint = "http://collector.test:9090/", method = method, transport = transport.send,
    clock = clock.fn, batch_size = 1,
  })
  local tracker_options = {
    emitter = emitter, namespace = "game", app_id = "rocks", clock = clock.fn,
    random_bytes = fake.random_bytes(),
    subject = plow.subject({ platform = "pc", user_id = "player 42", language = "en-GB",
      screen_resolution = { 1920, 1080 } }),
  }
  for k, v in pairs(options or {}) do
    tracker_options[k] = v
  end
  return plow.tracker(tracker_options), transport, clock
end

describe("the tracker over GET", function()
  it("sends a structured event as this exact request", function()
    local tracker, transport = setup("get")
    local id = tracker:track_struct_event({ category = "level", action = "start", label = "1-1",
      property = "easy", value = 3.5 })
    assert.equal(ID1, id)
    assert.equal(1, #transport.requests)
    local request = transport.requests[1]
    assert.equal("GET", request.method)
    assert.equal("http://collector.test:9090/i?aid=rocks&dtm=1700000000000&e=se"
      .. "&eid=00010203-0405-4607-8809-0a0b0c0d0e0f&lang=en-GB&p=pc&res=1920x1080&se_ac=start"
      .. "&se_ca=level&se_la=1-1&se_pr=easy&se_va=3.5&tna=game&tv=pyplow-lua-0.1.0"
      .. "&uid=player%2042&stm=1700000000000", request.url)
    assert.is_nil(request.body)
  end)

  it("sends a page view with URL-encoded UTF-8", function()
    local tracker, transport = setup("get")
    tracker:track_page_view({ url = "http://game.test/menu?a=1&b=2", title = "Café ☕ & co",
      referrer = "http://ref.test/" })
    local q = fake.query(transport.requests[1].url)
    assert.equal("pv", q.e)
    assert.equal("http://game.test/menu?a=1&b=2", q.url)
    assert.equal("Café ☕ & co", q.page)
    assert.equal("http://ref.test/", q.refr)
    assert.matches("page=Caf%%C3%%A9%%20%%E2%%98%%95%%20%%26%%20co", transport.requests[1].url)
  end)

  it("sends a self-describing event and contexts as unpadded base64url", function()
    local tracker, transport = setup("get")
    tracker:track_self_describing_event({
      schema = "iglu:com.acme/level_end/jsonschema/1-0-0",
      data = { level = "1-1", score = 1200, perfect = false, items = json.array() },
      contexts = { { schema = "iglu:com.acme/player/jsonschema/1-0-0", data = { class = "mage" } } },
    })
    local q = fake.query(transport.requests[1].url)
    assert.equal("ue", q.e)
    assert.is_nil(q.ue_pr)
    assert.is_nil(q.co)
    assert.not_matches("[=+/]", q.ue_px)
    assert.equal('{"data":{"data":{"items":[],"level":"1-1","perfect":false,"score":1200},'
      .. '"schema":"iglu:com.acme/level_end/jsonschema/1-0-0"},'
      .. '"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"}',
      base64.decode(q.ue_px))
    assert.equal('{"data":[{"data":{"class":"mage"},"schema":"iglu:com.acme/player/jsonschema/1-0-0"}],'
      .. '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"}',
      base64.decode(q.cx))
  end)

  it("sends plain JSON (ue_pr, co) when base64 is off", function()
    local tracker, transport = setup("get", { base64 = false })
    tracker:track_self_describing_event({ schema = "iglu:com.acme/e/jsonschema/1-0-0", data = { a = 1 },
      contexts = { { schema = "iglu:com.acme/c/jsonschema/1-0-0", data = { b = 2 } } } })
    local q = fake.query(transport.requests[1].url)
    assert.is_nil(q.ue_px)
    assert.equal(1, json.decode(q.ue_pr).data.data.a)
    assert.equal(2, json.decode(q.co).data[1].data.b)
  end)

  it("sends a mobile screen view with a generated screen id", function()
    local tracker, transport = setup("get")
    local id = tracker:track_screen_view({ name = "inventory", type = "overlay", previous_name = "map" })
    assert.equal(ID2, id) -- the screen id took the first UUID
    local ue = json.decode(base64.decode(fake.query(transport.requests[1].url).ue_px))
    assert.equal("iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0", ue.data.schema)
    assert.same({ name = "inventory", id = ID1, type = "overlay", previousName = "map" }, ue.data.data)
  end)

  it("adds global contexts, true timestamps and per-event subjects", function()
    local tracker, transport = setup("get", {
      contexts = { { schema = "iglu:com.acme/build/jsonschema/1-0-0", data = { version = "1.2" } } },
    })
    tracker:track_struct_event({ category = "c", action = "a", true_timestamp = 1600000000000,
      subject = plow.subject({ user_id = "guest", platform = "cnsl" }),
      contexts = { { schema = "iglu:com.acme/player/jsonschema/1-0-0", data = { id = 7 } } } })
    local q = fake.query(transport.requests[1].url)
    assert.equal("1600000000000", q.ttm)
    assert.equal("guest", q.uid)
    assert.equal("cnsl", q.p)
    assert.equal("en-GB", q.lang)
    local cx = json.decode(base64.decode(q.cx)).data
    assert.equal("iglu:com.acme/build/jsonschema/1-0-0", cx[1].schema)
    assert.equal(7, cx[2].data.id)
  end)

  it("rejects missing or malformed arguments", function()
    local tracker = setup("get")
    assert.has_error(function() tracker:track_struct_event({ category = "c" }) end, "'action' is required")
    assert.has_error(function() tracker:track_struct_event({ category = "c", action = "a", value = "1" }) end)
    assert.has_error(function() tracker:track_page_view({}) end, "'url' is required")
    assert.has_error(function() tracker:track_screen_view({ name = 5 }) end)
    assert.has_error(function()
      tracker:track_self_describing_event({ schema = "com.acme/e/1-0-0", data = {} })
    end)
    assert.has_error(function()
      tracker:track_struct_event({ category = "c", action = "a", contexts = { { schema = "iglu:a/b/jsonschema/1-0-0" } } })
    end)
    assert.has_error(function() tracker:track_page_view() end,
      "track_page_view takes a table of named arguments, e.g. tracker:track_page_view{...}")
    assert.has_error(function() plow.tracker({}) end)
    assert.has_error(function() plow.tracker({ emitter = {}, colour = "red" }) end)
  end)

  it("defaults the platform to pc and sends to every emitter", function()
    local t1, t2 = fake.transport(), fake.transport()
    local e1 = plow.emitter({ endpoint = "a.test", method = "get", transport = t1.send })
    local e2 = plow.emitter({ endpoint = "https://b.test", method = "get", transport = t2.send })
    local tracker = plow.tracker({ emitters = { e1, e2 } })
    tracker:track_page_view({ url = "http://x.test/" })
    assert.matches("^http://a%.test/i%?", t1.requests[1].url)
    assert.matches("^https://b%.test/i%?", t2.requests[1].url)
    assert.equal("pc", fake.query(t1.requests[1].url).p)
    assert.equal(fake.query(t1.requests[1].url).eid, fake.query(t2.requests[1].url).eid)
  end)
end)

describe("the tracker over POST", function()
  it("sends a payload_data batch as this exact request", function()
    local transport = fake.transport()
    local clock = fake.clock(T0)
    local emitter = plow.emitter({ endpoint = "http://collector.test:9090", transport = transport.send,
      clock = clock.fn, batch_size = 2 })
    local tracker = plow.tracker({ emitter = emitter, clock = clock.fn, random_bytes = fake.random_bytes(),
      subject = plow.subject({ platform = "pc", user_id = "p1" }) })
    tracker:track_struct_event({ category = "level", action = "start" })
    clock.advance(250)
    assert.equal(0, #transport.requests)
    tracker:track_page_view({ url = "http://game.test/", title = "Café" })
    assert.equal(1, #transport.requests)
    local request = transport.requests[1]
    assert.equal("POST", request.method)
    assert.equal("http://collector.test:9090/com.snowplowanalytics.snowplow/tp2", request.url)
    assert.equal("application/json; charset=utf-8", request.headers["content-type"])
    assert.equal(tostring(#request.body), request.headers["content-length"])
    assert.equal('{"data":['
      .. '{"dtm":"1700000000000","e":"se","eid":"' .. ID1 .. '","p":"pc","se_ac":"start","se_ca":"level",'
      .. '"stm":"1700000000250","tv":"pyplow-lua-0.1.0","uid":"p1"},'
      .. '{"dtm":"1700000000250","e":"pv","eid":"' .. ID2 .. '","p":"pc","page":"Café",'
      .. '"stm":"1700000000250","tv":"pyplow-lua-0.1.0","uid":"p1","url":"http://game.test/"}],'
      .. '"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"}', request.body)
  end)
end)
