local base64 = require("pyplow_tracker.base64")

describe("base64", function()
  -- RFC 4648, section 10
  local vectors = { [""] = "", f = "Zg==", fo = "Zm8=", foo = "Zm9v", foob = "Zm9vYg==",
    fooba = "Zm9vYmE=", foobar = "Zm9vYmFy" }

  it("encodes the RFC 4648 test vectors", function()
    for plain, encoded in pairs(vectors) do
      assert.equal(encoded, base64.encode(plain))
      assert.equal((encoded:gsub("=", "")), base64.encode_url(plain))
    end
  end)

  it("uses - and _ in the URL-safe alphabet", function()
    assert.equal("-_-_", base64.encode_url("\251\255\191"))
    assert.equal("+/+/", base64.encode("\251\255\191"))
    assert.equal("_w==", base64.encode("\255", { url = true, pad = true }))
  end)

  it("decodes either alphabet, padded or not, and every byte value", function()
    local all = {}
    for i = 0, 255 do
      all[#all + 1] = string.char(i)
    end
    all = table.concat(all)
    for cut = 250, 256 do
      local s = all:sub(1, cut)
      assert.equal(s, base64.decode(base64.encode(s)))
      assert.equal(s, base64.decode(base64.encode_url(s)))
    end
    assert.equal("foob", base64.decode("Zm9v\nYg"))
  end)
end)
