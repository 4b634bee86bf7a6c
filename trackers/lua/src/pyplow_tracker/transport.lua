-- HTTP transports. A transport is a function
--
--   transport(request) -> status, err
--
-- where request = {method = "GET" | "POST", url = "http://...", headers = {name = value},
-- body = string or nil}; it returns the HTTP status code (a number), or nil and a message when
-- no answer came. Anything that can make an HTTP request can be wrapped this way (a game
-- engine's HTTP API, an embedded board's socket layer, ...).

local transport = {}

--- A transport on LuaSocket (socket.http; https through LuaSec's ssl.https when installed).
--- Returns nil and a message when LuaSocket is not installed. timeout: seconds (default 5).
function transport.luasocket(timeout)
  local ok, http = pcall(require, "socket.http")
  if not ok then
    return nil, "LuaSocket is not installed (socket.http): " .. tostring(http)
  end
  local ltn12 = require("ltn12")
  local https_ok, https = pcall(require, "ssl.https")
  timeout = timeout or 5

  return function(request)
    local module = http
    if request.url:sub(1, 8) == "https://" then
      if not https_ok then
        return nil, "https needs LuaSec (ssl.https), which is not installed"
      end
      module = https
    end
    local answer = {}
    local saved = module.TIMEOUT
    module.TIMEOUT = timeout -- LuaSocket applies its module-wide timeout to every request
    local result, code = module.request({
      url = request.url,
      method = request.method,
      headers = request.headers,
      source = request.body and ltn12.source.string(request.body) or nil,
      sink = ltn12.sink.table(answer),
    })
    module.TIMEOUT = saved
    if not result then
      return nil, tostring(code)
    end
    if type(code) ~= "number" then
      return nil, "no HTTP status: " .. tostring(code)
    end
    return code
  end
end

return transport
