// The reference for the PHOLD speed target: the same workload on a plain
// std::priority_queue ordered by (time, insertion number). Build and run:
//   g++ -O2 -o /tmp/phold-ref bench/phold-ref.cpp && /tmp/phold-ref 1024 4 10000000
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <vector>

struct Event {
  uint64_t time;
  uint64_t seq;
  uint32_t lp;
};
struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

int main(int argc, char** argv) {
  const uint32_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1024;
  const uint32_t per = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4;
  const uint64_t limit = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000000;
  std::vector<uint32_t> x(n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t s = i * 0x9E3779B9u + 0x12345678u;
    x[i] = s == 0 ? 1 : s;
  }
  auto next = [&](uint32_t i) {
    uint32_t v = x[i];
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    return x[i] = v;
  };
  std::priority_queue<Event, std::vector<Event>, Later> q;
  uint64_t seq = 0;
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t k = 0; k < per; k++) q.push({next(i) % 1000, seq++, i});
  uint32_t h = 2166136261u;
  uint64_t count = 0, last = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (count < limit && !q.empty()) {
    Event e = q.top();
    q.pop();
    count++;
    last = e.time;
    h = (h ^ static_cast<uint32_t>(e.time)) * 16777619u;
    h = (h ^ e.lp) * 16777619u;
    uint32_t a = next(e.lp), b = next(e.lp), c = next(e.lp);
    uint32_t d = a % 10 < 9 ? b % n : e.lp;
    q.push({e.time + 100 + c % 1900, seq++, d});
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"impl\":\"c++ std::priority_queue\",\"events\":%llu,\"final_ps\":%llu,\"checksum\":%u,\"seconds\":%.6f,\"events_per_s\":%.0f}\n",
              (unsigned long long)count, (unsigned long long)last, h, secs, count / secs);
}
