-- Tracker: builds tracker-protocol events and hands them to its emitters.
--
-- Every track_* method takes one table of named arguments and returns the event id (a UUID v4,
-- sent as eid). Common arguments:
--   contexts       = list of entities {schema = "iglu:...", data = {...}} (sent as cx or co)
--   true_timestamp = the user-asserted time of the event, ms since the epoch (ttm)
--   subject        = a Subject whose set fields override the tracker's for this event
-- dtm (device-created time) is taken when the method is called; the emitter adds stm.

local json = require("pyplow_tracker.json")
local base64 = require("pyplow_tracker.base64")
local util = require("pyplow_tracker.util")
local Subject = require("pyplow_tracker.subject")

local Tracker = {}
Tracker.__index = Tracker

Tracker.VERSION = "pyplow-lua-0.1.0"
Tracker.UNSTRUCT_EVENT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
Tracker.CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
Tracker.SCREEN_VIEW_SCHEMA = "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0"

local OPTIONS = {
  emitter = "table", emitters = "table", namespace = "string", app_id = "string",
  subject = "table", base64 = "boolean", contexts = "table", clock = "function",
  random_bytes = "function",
}

local function check_schema(schema, what)
  if type(schema) ~= "string" or not schema:find("^iglu:[^/]+/[^/]+/jsonschema/%d+%-%d+%-%d+$") then
    error(what .. " schema must be an Iglu URI like 'iglu:com.acme/event/jsonschema/1-0-0', got "
      .. tostring(schema), 0)
  end
end

local function check_args(args, method)
  if type(args) ~= "table" then
    error(method .. " takes a table of named arguments, e.g. tracker:" .. method .. "{...}", 3)
  end
  return args
end

local function check_string(args, name, required)
  local value = args[name]
  if value == nil then
    if required then
      error("'" .. name .. "' is required", 3)
    end
    return nil
  end
  if type(value) ~= "string" then
    error("'" .. name .. "' must be a string, got a " .. type(value), 3)
  end
  if required and value == "" then
    error("'" .. name .. "' must not be empty", 3)
  end
  return value
end

local function self_describing(entity, what)
  if type(entity) ~= "table" then
    error(what .. " must be a table {schema = 'iglu:...', data = {...}}", 0)
  end
  check_schema(entity.schema, what)
  if entity.data == nil then
    error(what .. " has no data", 0)
  end
  return { schema = entity.schema, data = entity.data }
end

--- Tracker.new{emitter = e (or emitters = {e1, e2}), namespace, app_id, subject, base64 = true,
--- contexts = {entities added to every event}, clock = ms function, random_bytes = n -> bytes}
function Tracker.new(options)
  options = options or {}
  for name, value in pairs(options) do
    local kind = OPTIONS[name]
    if not kind then
      error("unknown tracker option '" .. tostring(name) .. "'", 2)
    elseif type(value) ~= kind then
      error("tracker option '" .. name .. "' must be a " .. kind .. ", got a " .. type(value), 2)
    end
  end
  local emitters = options.emitters or { options.emitter }
  if #emitters == 0 then
    error("a tracker needs an emitter (emitter = ...) or emitters (emitters = {...})", 2)
  end
  for _, e in ipairs(options.contexts or {}) do
    self_describing(e, "global context")
  end
  return setmetatable({
    emitters = emitters,
    namespace = options.namespace,
    app_id = options.app_id,
    subject = options.subject or Subject.new({ platform = "pc" }),
    base64 = options.base64 ~= false,
    global_contexts = options.contexts or {},
    clock = options.clock or util.default_clock(),
    random_bytes = options.random_bytes or util.default_random_bytes(),
  }, Tracker)
end

function Tracker:set_subject(subject)
  self.subject = subject
end

--- A new UUID v4 from the tracker's random source.
function Tracker:uuid()
  return util.uuid4(self.random_bytes)
end

-- self-describing JSON as a parameter: base64 (URL-safe) or plain JSON
function Tracker:_json_param(event, plain_key, encoded_key, value)
  local text = json.encode(value)
  if self.base64 then
    event[encoded_key] = base64.encode_url(text)
  else
    event[plain_key] = text
  end
end

-- Adds the common parameters and sends the event to every emitter; returns its id.
function Tracker:_track(event, args, unstruct)
  if unstruct then
    self:_json_param(event, "ue_pr", "ue_px", { schema = Tracker.UNSTRUCT_EVENT_SCHEMA, data = unstruct })
  end
  local entities = {}
  for _, e in ipairs(self.global_contexts) do
    entities[#entities + 1] = self_describing(e, "global context")
  end
  for i, e in ipairs(args.contexts or {}) do
    entities[#entities + 1] = self_describing(e, "context " .. i)
  end
  if #entities > 0 then
    self:_json_param(event, "co", "cx", { schema = Tracker.CONTEXTS_SCHEMA, data = entities })
  end
  if args.true_timestamp ~= nil then
    if type(args.true_timestamp) ~= "number" then
      error("'true_timestamp' must be a number (ms since the epoch)", 3)
    end
    event.ttm = util.ms_text(args.true_timestamp)
  end
  for k, v in pairs(self.subject:params(args.subject)) do
    event[k] = v
  end
  local id = self:uuid()
  event.eid = id
  event.dtm = util.ms_text(self.clock())
  event.tv = Tracker.VERSION
  event.tna = self.namespace
  event.aid = self.app_id
  for i, emitter in ipairs(self.emitters) do
    if i == 1 then
      emitter:input(event)
    else
      local copy = {}
      for k, v in pairs(event) do
        copy[k] = v
      end
      emitter:input(copy)
    end
  end
  return id
end

--- track_page_view{url = (required), title, referrer, contexts, true_timestamp, subject}
function Tracker:track_page_view(args)
  check_args(args, "track_page_view")
  local event = { e = "pv", url = check_string(args, "url", true) }
  event.page = check_string(args, "title")
  event.refr = check_string(args, "referrer")
  return self:_track(event, args)
end

--- track_struct_event{category = (required), action = (required), label, property,
--- value = number, contexts, true_timestamp, subject}
function Tracker:track_struct_event(args)
  check_args(args, "track_struct_event")
  local event = {
    e = "se",
    se_ca = check_string(args, "category", true),
    se_ac = check_string(args, "action", true),
  }
  event.se_la = check_string(args, "label")
  event.se_pr = check_string(args, "property")
  if args.value ~= nil then
    if type(args.value) ~= "number" then
      error("'value' must be a number, got a " .. type(args.value), 2)
    end
    event.se_va = util.decimal(args.value)
  end
  return self:_track(event, args)
end

--- track_self_describing_event{schema = "iglu:...", data = {...}, contexts, true_timestamp,
--- subject}
function Tracker:track_self_describing_event(args)
  check_args(args, "track_self_describing_event")
  return self:_track({ e = "ue" }, args, self_describing(args, "self-describing event"))
end

--- track_screen_view{name = (required), id = UUID (default: a new one), type, previous_name,
--- previous_id, previous_type, transition_type, contexts, true_timestamp, subject}: a
--- com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0 event.
function Tracker:track_screen_view(args)
  check_args(args, "track_screen_view")
  local data = {
    name = check_string(args, "name", true),
    id = check_string(args, "id") or self:uuid(),
    type = check_string(args, "type"),
    previousName = check_string(args, "previous_name"),
    previousId = check_string(args, "previous_id"),
    previousType = check_string(args, "previous_type"),
    transitionType = check_string(args, "transition_type"),
  }
  return self:_track({ e = "ue" }, args, { schema = Tracker.SCREEN_VIEW_SCHEMA, data = data })
end

--- Sends everything the emitters hold (see Emitter:flush).
function Tracker:flush()
  local all = true
  for _, emitter in ipairs(self.emitters) do
    all = emitter:flush() and all
  end
  return all
end

--- Lets the emitters send what is due; call it regularly (e.g. once a frame).
function Tracker:tick()
  for _, emitter in ipairs(self.emitters) do
    emitter:tick()
  end
end

return Tracker
