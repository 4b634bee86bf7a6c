local Subject = require("pyplow_tracker.subject")

describe("Subject", function()
  it("maps its fields to protocol parameters", function()
    local s = Subject.new({
      user_id = "u-1", platform = "mob", screen_resolution = { 1920, 1080 }, viewport = { 800, 600 },
      color_depth = 24, timezone = "Europe/Paris", language = "fr-FR", ip_address = "203.0.113.9",
      useragent = "Game/1.0", domain_userid = "d-1", network_userid = "n-1",
    })
    assert.same({
      uid = "u-1", p = "mob", res = "1920x1080", vp = "800x600", cd = "24", tz = "Europe/Paris",
      lang = "fr-FR", ip = "203.0.113.9", ua = "Game/1.0", duid = "d-1", tnuid = "n-1",
    }, s:params())
  end)

  it("has setters, and a per-event subject overrides the set fields", function()
    local s = Subject.new({ platform = "pc" }):set_user_id("a"):set_language("en")
    local override = Subject.new():set_user_id("b"):set_screen_resolution(640, 480)
    assert.same({ p = "pc", uid = "b", lang = "en", res = "640x480" }, s:params(override))
    s:set_user_id(nil)
    assert.same({ p = "pc", lang = "en" }, s:params())
  end)

  it("rejects unknown options, platforms and bad dimensions", function()
    assert.has_error(function() Subject.new({ nickname = "x" }) end, "unknown subject option 'nickname'")
    assert.has_error(function() Subject.new({ platform = "desktop" }) end)
    assert.has_error(function() Subject.new():set_viewport(10.5, 3) end)
    assert.has_error(function() Subject.new():set_user_id({}) end)
  end)
end)
