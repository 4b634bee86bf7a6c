-- Subject: who and where the events are about (user id, platform, screen, language, ...).
--
-- Each field maps to one tracker-protocol parameter; unset fields are not sent. A tracker has one
-- subject; an event may carry its own, whose set fields override the tracker's.

local Subject = {}
Subject.__index = Subject

-- option name -> protocol parameter
local PARAMS = {
  user_id = "uid",
  platform = "p",
  timezone = "tz",
  language = "lang",
  color_depth = "cd",
  ip_address = "ip",
  useragent = "ua",
  domain_userid = "duid",
  network_userid = "tnuid",
  domain_session_id = "sid",
  domain_session_index = "vid",
}

-- the platforms Enrich accepts
local PLATFORMS = {
  web = true, mob = true, pc = true, srv = true, app = true,
  tv = true, cnsl = true, iot = true, headset = true,
}

local function dims(name, value)
  if value == nil then
    return nil
  end
  local w, h
  if type(value) == "table" then
    w, h = value[1], value[2]
  end
  if type(w) ~= "number" or type(h) ~= "number" or w < 0 or h < 0 or w % 1 ~= 0 or h % 1 ~= 0 then
    error(name .. " must be {width, height} in whole pixels, got " .. tostring(value), 3)
  end
  return string.format("%dx%d", w, h)
end

local function text(name, value)
  if value == nil then
    return nil
  end
  local kind = type(value)
  if kind == "number" then
    if value % 1 ~= 0 then
      error(name .. " must be a whole number, got " .. tostring(value), 3)
    end
    return string.format("%d", value)
  elseif kind ~= "string" then
    error(name .. " must be a string, got a " .. kind, 3)
  end
  return value
end

--- Subject.new{user_id=, platform=, screen_resolution={w, h}, viewport={w, h}, color_depth=,
--- timezone=, language=, ip_address=, useragent=, domain_userid=, network_userid=,
--- domain_session_id=, domain_session_index=}
function Subject.new(options)
  local self = setmetatable({ values = {} }, Subject)
  for name, value in pairs(options or {}) do
    local setter = self["set_" .. name]
    if not setter then
      error("unknown subject option '" .. tostring(name) .. "'", 2)
    end
    if name == "screen_resolution" or name == "viewport" then
      setter(self, type(value) == "table" and value[1], type(value) == "table" and value[2])
    else
      setter(self, value)
    end
  end
  return self
end

for name, param in pairs(PARAMS) do
  Subject["set_" .. name] = function(self, value)
    self.values[param] = text(name, value)
    return self
  end
end

function Subject:set_platform(value)
  if value ~= nil and not PLATFORMS[value] then
    error("platform must be one of web, mob, pc, srv, app, tv, cnsl, iot, headset; got " .. tostring(value), 2)
  end
  self.values.p = value
  return self
end

function Subject:set_screen_resolution(width, height)
  self.values.res = dims("screen_resolution", width and { width, height })
  return self
end

function Subject:set_viewport(width, height)
  self.values.vp = dims("viewport", width and { width, height })
  return self
end

--- The protocol parameters of this subject, overridden by `other`'s set fields (if given).
function Subject:params(other)
  local out = {}
  for k, v in pairs(self.values) do
    out[k] = v
  end
  if other then
    for k, v in pairs(other.values) do
      out[k] = v
    end
  end
  return out
end

return Subject
