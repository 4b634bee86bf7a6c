-- A real `pyplow quickstart` (collector + enrich + Micro API) on a free loopback port, for the
-- end-to-end specs. The executable comes from $PYPLOW (the Makefile sets it), else the
-- repository's .venv. Needs LuaSocket to pick a port and to query the Micro API.

local socket = require("socket")
local http = require("socket.http")
local ltn12 = require("ltn12")
local json = require("pyplow_tracker.json")

local pyplow = {}

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function file_exists(path)
  local f = io.open(path, "rb")
  if f then
    f:close()
    return true
  end
  return false
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then
    return ""
  end
  local text = f:read("*a")
  f:close()
  return text
end

local function run(command)
  local pipe = assert(io.popen(command))
  local out = pipe:read("*a")
  pipe:close()
  return (out:gsub("%s+$", ""))
end

--- The pyplow executable, or nil and why not.
function pyplow.executable()
  local path = os.getenv("PYPLOW")
  if path and path ~= "" then
    if file_exists(path) then
      return path
    end
    return nil, "PYPLOW=" .. path .. " does not exist"
  end
  path = "../../.venv/bin/pyplow" -- from trackers/lua
  if file_exists(path) then
    return path
  end
  return nil, "no pyplow executable: set PYPLOW=/path/to/pyplow or run `make .venv/.installed`"
end

local function free_port()
  local server = assert(socket.bind("127.0.0.1", 0))
  local _, port = server:getsockname()
  server:close()
  return tonumber(port)
end

--- GET a path of the running pipeline; returns the status and the decoded JSON body.
function pyplow.get(base, path)
  local chunks = {}
  local ok, status = http.request({ url = base .. path, sink = ltn12.sink.table(chunks) })
  if not ok then
    return nil, status
  end
  local body = table.concat(chunks)
  local decoded_ok, value = pcall(json.decode, body)
  return status, decoded_ok and value or body
end

--- Starts a quickstart; returns {base = "http://127.0.0.1:PORT", stop = function, log = function}.
--- `resolver` (optional) is an Iglu resolver config file.
function pyplow.start(executable, resolver)
  local dir = run("mktemp -d")
  assert(dir ~= "", "mktemp -d failed")
  local port = free_port()
  local base = "http://127.0.0.1:" .. port
  local log, pid_file = dir .. "/pyplow.log", dir .. "/pid"
  local command = shell_quote(executable)
    .. " quickstart --host 127.0.0.1 --port " .. port
    .. " --data-dir " .. shell_quote(dir .. "/data")
    .. (resolver and (" --resolver " .. shell_quote(resolver)) or "")
  os.execute(command .. " >" .. shell_quote(log) .. " 2>&1 </dev/null & echo $! >" .. shell_quote(pid_file))
  local pid = tonumber(read_file(pid_file):match("%d+"))
  assert(pid, "could not start " .. command)
  local instance = { base = base, pid = pid, dir = dir }

  function instance.log()
    return read_file(log)
  end

  function instance.alive()
    local stat = io.open("/proc/" .. pid .. "/stat", "r")
    if stat then -- Linux: a zombie (state Z) waiting to be reaped has ended too
      local state = (stat:read("*l") or ""):match("^%d+ %b() (%a)")
      stat:close()
      return state ~= nil and state ~= "Z"
    end
    local result = os.execute("kill -0 " .. pid .. " 2>/dev/null")
    return result == true or result == 0 -- Lua 5.2+ gives true, 5.1 and LuaJIT the status
  end

  function instance.stop()
    if instance.stopped then
      return
    end
    instance.stopped = true
    -- The data is thrown away, so there is nothing to drain: end the process at once (a
    -- graceful stop takes seconds). It has no child processes.
    os.execute("kill -KILL " .. pid .. " 2>/dev/null")
    for _ = 1, 100 do
      if not instance.alive() then
        break
      end
      socket.sleep(0.05)
    end
    os.execute("rm -rf " .. shell_quote(dir))
  end

  for _ = 1, 300 do
    if pyplow.get(base, "/micro/all") == 200 then
      return instance
    end
    if not instance.alive() then
      break
    end
    socket.sleep(0.1)
  end
  local text = instance.log()
  instance.stop()
  error("pyplow quickstart did not start:\n" .. text)
end

--- Polls /micro/all until `n` events (good or bad) arrived; returns the good and bad lists.
function pyplow.wait_for(base, n, seconds)
  local deadline = socket.gettime() + (seconds or 20)
  while socket.gettime() < deadline do
    local status, counts = pyplow.get(base, "/micro/all")
    if status == 200 and type(counts) == "table" and counts.total >= n then
      break
    end
    socket.sleep(0.1)
  end
  local _, good = pyplow.get(base, "/micro/good")
  local _, bad = pyplow.get(base, "/micro/bad")
  return good, bad
end

return pyplow
