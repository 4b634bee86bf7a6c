local json = require("pyplow_tracker.json")

describe("json.encode", function()
  it("writes compact JSON with sorted keys", function()
    assert.equal('{"a":[1,2,3],"b":{"c":true,"d":false},"e":null,"z":"x"}',
      json.encode({ z = "x", a = { 1, 2, 3 }, b = { d = false, c = true }, e = json.null }))
  end)

  it("writes empty tables as objects unless marked as arrays", function()
    assert.equal('{"a":{},"b":[]}', json.encode({ a = {}, b = json.array() }))
    assert.equal('{"1":"x"}', json.encode(json.object({ "x" })))
  end)

  it("escapes quotes, backslashes and control characters, and keeps UTF-8", function()
    assert.equal([["say \"hi\"\\\n\t\u0001\u007f Café ☕"]], json.encode('say "hi"\\\n\t\1\127 Café ☕'))
  end)

  it("writes integers without a fraction and other numbers so they read back the same", function()
    assert.equal("[3,-7,0,19.99,0.1,1e-07,12345678901234]",
      json.encode({ 3, -7, -0.0, 19.99, 0.1, 1e-7, 12345678901234 }))
    for _, n in ipairs({ 1 / 3, 2 ^ 0.5, 1e300, -123.456e-12 }) do
      assert.equal(n, tonumber(json.encode(n)))
    end
  end)

  it("refuses what JSON cannot represent", function()
    assert.has_error(function() json.encode(0 / 0) end)
    assert.has_error(function() json.encode(math.huge) end)
    assert.has_error(function() json.encode({ f = print }) end)
    local loop = {}
    loop.self = loop
    assert.has_error(function() json.encode(loop) end)
  end)
end)

describe("json.decode", function()
  it("reads objects, arrays, strings, numbers and literals", function()
    local v = json.decode(' {"a": [1, 2.5, -3e2], "b": {"c": null, "d": true, "e": false}, "s": "x\\"\\u00e9\\ud83d\\ude00"} ')
    assert.same({ 1, 2.5, -300 }, v.a)
    assert.equal(json.null, v.b.c)
    assert.is_true(v.b.d)
    assert.is_false(v.b.e)
    assert.equal('x"é😀', v.s)
  end)

  it("round-trips what the encoder writes", function()
    local value = { list = json.array(), n = 12.75, nested = { { k = "v" } }, text = "a\nb\0c" }
    assert.equal(json.encode(value), json.encode(json.decode(json.encode(value))))
  end)

  it("rejects malformed text with the byte position", function()
    for _, text in ipairs({ "", "{", '{"a" 1}', "[1,]", '"abc', "tru", "1 2", '"\1"' }) do
      local ok, err = pcall(json.decode, text)
      assert.is_false(ok, text)
      assert.matches("invalid JSON at byte %d+", err)
    end
  end)
end)
