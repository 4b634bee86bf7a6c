-- Proves which interpreter runs the suite: the Makefile sets PYPLOW_LUA to the one it started.
describe("the interpreter", function()
  it("is the one the runner asked for", function()
    local expected = os.getenv("PYPLOW_LUA")
    if not expected or expected == "" then
      pending("PYPLOW_LUA not set (the Makefile sets it)")
      return
    end
    print(string.format("\n  running on %s%s", _VERSION, jit and (" (" .. jit.version .. ")") or ""))
    if expected == "luajit" then
      assert.is_table(jit)
    else
      assert.is_nil(jit)
      assert.equal("Lua " .. expected:match("^lua(%d%.%d)$"), _VERSION)
    end
  end)
end)
