// The Lua behind the Redis rate limiter: one script per check (drain, decide, count — atomic in Redis) and one per
// correction. They mirror domain/rate-limits/bucket.ts exactly (integer unit·ms levels, exact in Lua's doubles).
//
// A bucket hash holds t (ms of the last update), r / k / d (RPM / TPM / RPD levels) and lr / lk / ld (the limits
// they drain at; 0 = none). Keys expire once every level has drained, so an idle scope costs nothing.

const COMMON = `
local MIN, DAY = 60000, 86400000
local WIN = {MIN, MIN, DAY}
local LEVEL = {'r', 'k', 'd'}
local function fmt(x) return string.format('%.0f', x) end

-- Reads a bucket hash and drains it to now at the limits it stored; nil when the key does not exist.
local function load(key, now)
  local v = redis.call('HMGET', key, 't', 'r', 'k', 'd', 'lr', 'lk', 'ld')
  local t = tonumber(v[1])
  local s = {t = now, lv = {0, 0, 0}, lim = {0, 0, 0}, found = t ~= nil}
  if not t then return s end
  local elapsed = now - t
  if t > now then s.t = t end
  for i = 1, 3 do
    local lv = tonumber(v[i + 1]) or 0
    local lim = tonumber(v[i + 4]) or 0
    if lim <= 0 then lv = 0
    elseif elapsed > 0 then
      local drop = elapsed * lim
      if drop >= lv then lv = 0 else lv = lv - drop end
    end
    s.lv[i] = lv
    s.lim[i] = lim
  end
  return s
end

local function save(key, s)
  local ttl = 1000
  for i = 1, 3 do
    if s.lim[i] > 0 and s.lv[i] > 0 then
      local drain = math.ceil(s.lv[i] / s.lim[i]) + 1000
      if drain > ttl then ttl = drain end
    end
  end
  redis.call('HSET', key, 't', fmt(s.t), 'r', fmt(s.lv[1]), 'k', fmt(s.lv[2]), 'd', fmt(s.lv[3]),
    'lr', fmt(s.lim[1]), 'lk', fmt(s.lim[2]), 'ld', fmt(s.lim[3]))
  redis.call('PEXPIRE', key, ttl)
end
`;

/**
 * KEYS: account bucket, project bucket. ARGV: now, tokens, account rpm tpm rpd, has-project (1/0), project rpm tpm
 * rpd (limits 0 = none). Returns {allowed 1/0, then the six drained levels before counting: account r k d,
 * project r k d}.
 */
export const CHECK_SCRIPT = `${COMMON}
local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local cost = {1, tokens, 1}

local function adopt(s, base)
  for i = 1, 3 do
    local lim = tonumber(ARGV[base + i])
    s.lim[i] = lim
    if lim <= 0 then s.lv[i] = 0 end
  end
end

local function fit(s)
  for i = 1, 3 do
    if s.lim[i] > 0 and s.lv[i] + cost[i] * WIN[i] > s.lim[i] * WIN[i] then return false end
  end
  return true
end

local a = load(KEYS[1], now)
adopt(a, 2)
local p = nil
if ARGV[6] == '1' then
  p = load(KEYS[2], now)
  adopt(p, 6)
end
local before = {fmt(a.lv[1]), fmt(a.lv[2]), fmt(a.lv[3]), '0', '0', '0'}
if p then before[4], before[5], before[6] = fmt(p.lv[1]), fmt(p.lv[2]), fmt(p.lv[3]) end

local allowed = fit(a) and (p == nil or fit(p))
if allowed then
  for i = 1, 3 do
    if a.lim[i] > 0 then a.lv[i] = a.lv[i] + cost[i] * WIN[i] end
    if p and p.lim[i] > 0 then p.lv[i] = p.lv[i] + cost[i] * WIN[i] end
  end
end
save(KEYS[1], a)
if p then save(KEYS[2], p) end
return {allowed and 1 or 0, before[1], before[2], before[3], before[4], before[5], before[6]}
`;

/** KEYS: account bucket, project bucket (either may be missing). ARGV: now, actual − estimated tokens. */
export const CORRECT_SCRIPT = `${COMMON}
local now = tonumber(ARGV[1])
local delta = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  local s = load(key, now)
  if s.found then
    if s.lim[2] > 0 then
      local lv = s.lv[2] + delta * MIN
      if lv < 0 then lv = 0 end
      s.lv[2] = lv
    end
    save(key, s)
  end
end
return 0
`;
