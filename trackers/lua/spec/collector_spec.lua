-- End to end: the tracker sends over real HTTP (LuaSocket, and a raw-socket transport standing
-- for a host application's own HTTP function) to a real `pyplow quickstart`, and the events must
-- come out of enrich as good events with the right fields (read back through the Micro API).

local plow = require("pyplow_tracker")
local pyplow = require("support.pyplow")
local socket = require("socket")

local APPLICATION = "iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0"
local TIMING = "iglu:com.snowplowanalytics.snowplow/timing/jsonschema/1-0-0"
local SCREEN_VIEW = "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0"

-- A transport written the way a host application might: HTTP/1.0 over a raw TCP socket.
local function raw_socket_transport(request)
  local host, port, path = request.url:match("^http://([^:/]+):(%d+)(/.*)$")
  local conn = socket.tcp()
  conn:settimeout(5)
  local ok, err = conn:connect(host, tonumber(port))
  if not ok then
    return nil, err
  end
  local lines = { request.method .. " " .. path .. " HTTP/1.0", "Host: " .. host .. ":" .. port }
  for name, value in pairs(request.headers) do
    lines[#lines + 1] = name .. ": " .. value
  end
  conn:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. (request.body or ""))
  local status_line = conn:receive("*l")
  conn:close()
  return tonumber(status_line and status_line:match("^HTTP/%d%.%d (%d%d%d)"))
end

describe("against a real pyplow collector", function()
  local executable, why = pyplow.executable()
  local instance

  setup(function()
    if executable then
      instance = pyplow.start(executable)
    end
  end)

  teardown(function()
    if instance then
      instance.stop()
    end
  end)

  it("every event type arrives enriched as a good event", function()
    if not executable then
      if os.getenv("CI") == "true" then
        error(why)
      end
      pending(why)
      return
    end
    local failures = {}
    local function on_failure(events, reason)
      failures[#failures + 1] = #events .. " events: " .. reason
    end
    local subject = plow.subject({ platform = "pc", user_id = "player-42", language = "en-GB",
      screen_resolution = { 1920, 1080 }, timezone = "Europe/London" })
    local app = { { schema = APPLICATION, data = { version = "1.4.2" } } }

    local post = plow.emitter({ endpoint = instance.base, method = "post", batch_size = 3,
      on_failure = on_failure })
    local get = plow.emitter({ endpoint = instance.base, method = "get", on_failure = on_failure })
    local host = plow.emitter({ endpoint = instance.base, method = "post", transport = raw_socket_transport,
      on_failure = on_failure })

    local over_post = plow.tracker({ emitter = post, namespace = "game", app_id = "rocks",
      subject = subject, contexts = app })
    local over_get = plow.tracker({ emitter = get, namespace = "game-get", app_id = "rocks",
      subject = subject, base64 = false })
    local over_host = plow.tracker({ emitter = host, namespace = "game-host", app_id = "rocks" })

    local ids = {}
    ids.struct = over_post:track_struct_event({ category = "level", action = "start", label = "1-1",
      property = "easy", value = 19.99 })
    ids.timing = over_post:track_self_describing_event({ schema = TIMING,
      data = { category = "load", variable = "level", timing = 231 }, true_timestamp = 1700000000123 })
    ids.screen = over_post:track_screen_view({ name = "inventory", type = "overlay" })
    ids.page = over_post:track_page_view({ url = "http://rocks.test/shop?item=7", title = "Café ☕",
      referrer = "http://forum.test/" })
    assert.is_true(over_post:flush())
    ids.get_struct = over_get:track_struct_event({ category = "menu", action = "open & close",
      contexts = app, subject = plow.subject({ user_id = "guest é" }) })
    ids.get_screen = over_get:track_screen_view({ name = "map" })
    ids.host_page = over_host:track_page_view({ url = "http://rocks.test/host" })
    assert.is_true(over_host:flush())
    assert.same({}, failures)
    assert.equal(6, post.sent + get.sent)

    local good, bad = pyplow.wait_for(instance.base, 7)
    assert.same({}, bad)
    local by_id = {}
    for _, item in ipairs(good) do
      by_id[item.event.event_id] = item
    end
    for name, id in pairs(ids) do
      assert.is_table(by_id[id], name .. " event " .. id .. " did not arrive")
      assert.equal("pyplow-lua-0.1.0", by_id[id].event.v_tracker)
      assert.equal("rocks", by_id[id].event.app_id)
    end

    local e = by_id[ids.struct].event
    assert.equal("struct", e.event)
    assert.equal("game", e.name_tracker)
    assert.equal("pc", e.platform)
    assert.equal("player-42", e.user_id)
    assert.equal("en-GB", e.br_lang)
    assert.equal("Europe/London", e.os_timezone)
    assert.equal(1920, e.dvce_screenwidth)
    assert.equal("level", e.se_category)
    assert.equal("start", e.se_action)
    assert.equal("1-1", e.se_label)
    assert.equal("easy", e.se_property)
    assert.equal(19.99, e.se_value)
    assert.is_string(e.dvce_created_tstamp)
    assert.is_string(e.dvce_sent_tstamp)
    assert.same({ APPLICATION }, by_id[ids.struct].contexts)
    assert.equal("1.4.2", e.contexts.data[1].data.version)

    e = by_id[ids.timing].event
    assert.equal(TIMING, by_id[ids.timing].schema)
    assert.equal(231, e.unstruct_event.data.data.timing)
    assert.equal("2023-11-14T22:13:20.123Z", e.true_tstamp)

    e = by_id[ids.screen].event
    assert.equal(SCREEN_VIEW, by_id[ids.screen].schema)
    assert.equal("inventory", e.unstruct_event.data.data.name)
    assert.equal("overlay", e.unstruct_event.data.data.type)

    e = by_id[ids.page].event
    assert.equal("page_view", e.event)
    assert.equal("http://rocks.test/shop?item=7", e.page_url)
    assert.equal("item=7", e.page_urlquery)
    assert.equal("Café ☕", e.page_title)
    assert.equal("forum.test", e.refr_urlhost)

    e = by_id[ids.get_struct].event
    assert.equal("game-get", e.name_tracker)
    assert.equal("open & close", e.se_action)
    assert.equal("guest é", e.user_id)
    assert.equal("1.4.2", e.contexts.data[1].data.version)
    assert.equal("map", by_id[ids.get_screen].event.unstruct_event.data.data.name)

    e = by_id[ids.host_page].event
    assert.equal("game-host", e.name_tracker)
    assert.equal("pc", e.platform)
    assert.equal("http://rocks.test/host", e.page_url)
  end)
end)
