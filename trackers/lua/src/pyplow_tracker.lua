-- pyplow_tracker: a Snowplow-protocol tracker for Lua 5.1-5.4 and LuaJIT, from the pyplow project.
--
--   local plow = require("pyplow_tracker")
--   local emitter = plow.emitter{endpoint = "http://localhost:9090"}
--   local tracker = plow.tracker{emitter = emitter, namespace = "game", app_id = "rocks",
--                                subject = plow.subject{platform = "pc", user_id = "p-1"}}
--   tracker:track_struct_event{category = "level", action = "start", label = "1-1"}
--   tracker:flush()

local Tracker = require("pyplow_tracker.tracker")
local Emitter = require("pyplow_tracker.emitter")
local Subject = require("pyplow_tracker.subject")

return {
  VERSION = Tracker.VERSION,
  Tracker = Tracker,
  Emitter = Emitter,
  Subject = Subject,
  tracker = Tracker.new,
  emitter = Emitter.new,
  subject = Subject.new,
  json = require("pyplow_tracker.json"),
  base64 = require("pyplow_tracker.base64"),
  transport = require("pyplow_tracker.transport"),
  util = require("pyplow_tracker.util"),
}
