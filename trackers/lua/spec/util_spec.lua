local util = require("pyplow_tracker.util")

describe("util", function()
  it("percent-encodes all but the unreserved characters", function()
    assert.equal("a-b_c.d~e%20f%2Bg%26h%3Di%2Fj%3F%25", util.url_encode("a-b_c.d~e f+g&h=i/j?%"))
    assert.equal("Caf%C3%A9", util.url_encode("Café"))
    assert.equal("a b+c&é", util.url_decode("a+b%2Bc%26%C3%A9"))
  end)

  it("builds a querystring with sorted keys and the given pairs last", function()
    assert.equal("a=1&b=x%20y&stm=5", util.query({ b = "x y", a = "1" }, { { "stm", "5" } }))
  end)

  it("writes decimals without an exponent", function()
    local cases = { [19.99] = "19.99", [3] = "3", [-0.25] = "-0.25", [1e-7] = "0.0000001",
      [1.5e20] = "150000000000000000000", [123456.789] = "123456.789", [2.5e-3] = "0.0025" }
    for n, text in pairs(cases) do
      assert.equal(text, util.decimal(n))
    end
    assert.has_error(function() util.decimal(0 / 0) end)
  end)

  it("makes version 4 UUIDs from the random bytes", function()
    local zeros = function(n) return string.rep("\0", n) end
    local ones = function(n) return string.rep("\255", n) end
    assert.equal("00000000-0000-4000-8000-000000000000", util.uuid4(zeros))
    assert.equal("ffffffff-ffff-4fff-bfff-ffffffffffff", util.uuid4(ones))
    local random = util.default_random_bytes()
    local seen = {}
    for _ = 1, 50 do
      local id = util.uuid4(random)
      assert.matches("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$", id)
      assert.is_nil(seen[id])
      seen[id] = true
    end
  end)

  it("reads a millisecond clock", function()
    local now = util.default_clock()()
    assert.is_true(now > 1.6e12 and now < 1e14)
    assert.equal("1700000000123", util.ms_text(1700000000123.7))
  end)
end)
