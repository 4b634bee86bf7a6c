-- A game loop that tracks a play session with the pyplow Lua tracker.
--
--   pyplow quickstart                       # in another terminal: collector on 127.0.0.1:9090
--   cd trackers/lua
--   LUA_PATH='src/?.lua;;' lua5.4 examples/game_loop.lua http://127.0.0.1:9090
--
-- then see the events with `curl http://127.0.0.1:9090/micro/good`.

local plow = require("pyplow_tracker")

local endpoint = arg and arg[1] or "http://127.0.0.1:9090"

local emitter = plow.emitter({
  endpoint = endpoint,
  method = "post", -- batches to /com.snowplowanalytics.snowplow/tp2
  batch_size = 5,
  flush_interval = 2, -- seconds; tick() sends what has waited this long
  on_failure = function(events, reason)
    print(("%d events not sent: %s"):format(#events, reason))
  end,
})

local tracker = plow.tracker({
  emitter = emitter,
  namespace = "rocks",
  app_id = "space-rocks",
  subject = plow.subject({ platform = "pc", user_id = "player-42", language = "en-GB",
    screen_resolution = { 1920, 1080 } }),
  -- sent with every event
  contexts = { { schema = "iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0",
    data = { version = "1.4.2" } } },
})

tracker:track_screen_view({ name = "title" })
tracker:track_struct_event({ category = "menu", action = "start-game", label = "normal" })

local score = 0
for level = 1, 3 do
  tracker:track_screen_view({ name = "level-" .. level, type = "game", previous_name = "title" })
  local started = os.clock()
  for _ = 1, 1000 do -- the frames of the level
    score = score + 1
    tracker:tick() -- sends due batches and retries; never blocks on a back-off
  end
  tracker:track_self_describing_event({
    schema = "iglu:com.snowplowanalytics.snowplow/timing/jsonschema/1-0-0",
    data = { category = "level", variable = "level-" .. level,
      timing = math.floor((os.clock() - started) * 1000) },
  })
  tracker:track_struct_event({ category = "level", action = "complete", label = tostring(level),
    value = score })
end

tracker:flush() -- at exit: send what is left
print(("sent %d events, %d given up, %d waiting"):format(emitter.sent, emitter.dropped, emitter:pending()))
