// The JUnit report as its consumers read it. Each reader below follows the
// consumer's documented rules, not its code:
// - GitLab (unit test reports): a test case is failed with a <failure>,
//   error with an <error>, skipped with a <skipped>, success otherwise; the
//   summary counts test cases by that status; `file` links the case.
// - Jenkins (junit plugin): a case with a <failure> or an <error> is failed and
//   shows its first such element's message; any failed case makes the build
//   UNSTABLE; skipped cases are counted apart.
// - Annotation actions (mikepenz/action-junit-report, dorny/test-reporter): one
//   annotation per failed or errored case, at its `file` and `line`.
// Then the counts and times the report states must match what it contains.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/report/report.hpp"
#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

// Just enough XML to read what util::XmlWriter writes: elements, attributes in
// double quotes, text, the five entities and numeric references.
struct Node {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<Node> children;
  std::string text;

  const Node* child(const std::string& n) const {
    for (const Node& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
  std::string attribute(const std::string& n) const {
    auto it = attributes.find(n);
    return it == attributes.end() ? std::string() : it->second;
  }
};

class Reader {
 public:
  explicit Reader(std::string text) : m_text(std::move(text)) {}

  Node document() {
    skip_prolog();
    return element();
  }

 private:
  std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        out += s[i];
        continue;
      }
      std::size_t end = s.find(';', i);
      if (end == std::string::npos) throw std::runtime_error("unterminated entity");
      std::string entity = s.substr(i + 1, end - i - 1);
      if (entity == "lt")
        out += '<';
      else if (entity == "gt")
        out += '>';
      else if (entity == "amp")
        out += '&';
      else if (entity == "quot")
        out += '"';
      else if (entity == "apos")
        out += '\'';
      else if (!entity.empty() && entity[0] == '#')
        out += '?';  // a character reference: its place is enough here
      else
        throw std::runtime_error("unknown entity " + entity);
      i = end;
    }
    return out;
  }
  void skip_space() {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
  }
  void skip_prolog() {
    skip_space();
    if (m_text.compare(m_pos, 5, "<?xml") == 0) m_pos = m_text.find("?>", m_pos) + 2;
    skip_space();
  }
  void expect(char c) {
    if (m_pos >= m_text.size() || m_text[m_pos] != c)
      throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(m_pos));
    ++m_pos;
  }
  std::string name() {
    std::size_t start = m_pos;
    while (m_pos < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '-' ||
                                     m_text[m_pos] == '_' || m_text[m_pos] == ':'))
      ++m_pos;
    if (start == m_pos) throw std::runtime_error("expected a name at " + std::to_string(m_pos));
    return m_text.substr(start, m_pos - start);
  }
  Node element() {
    Node node;
    expect('<');
    node.name = name();
    for (;;) {
      skip_space();
      if (m_text.compare(m_pos, 2, "/>") == 0) {
        m_pos += 2;
        return node;
      }
      if (m_text[m_pos] == '>') {
        ++m_pos;
        break;
      }
      std::string key = name();
      expect('=');
      expect('"');
      std::size_t end = m_text.find('"', m_pos);
      node.attributes[key] = unescape(m_text.substr(m_pos, end - m_pos));
      m_pos = end + 1;
    }
    for (;;) {
      std::size_t lt = m_text.find('<', m_pos);
      if (lt == std::string::npos) throw std::runtime_error("unclosed " + node.name);
      node.text += unescape(m_text.substr(m_pos, lt - m_pos));
      m_pos = lt;
      if (m_text.compare(m_pos, 2, "</") == 0) {
        m_pos += 2;
        if (name() != node.name) throw std::runtime_error("mismatched close of " + node.name);
        expect('>');
        return node;
      }
      node.children.push_back(element());
    }
  }

  std::string m_text;
  std::size_t m_pos = 0;
};

Node parse(const std::string& xml) {
  return Reader(xml).document();
}

std::vector<const Node*> testcases(const Node& root) {
  std::vector<const Node*> out;
  for (const Node& suite : root.children)
    for (const Node& c : suite.children)
      if (c.name == "testcase") out.push_back(&c);
  return out;
}

struct GitlabDisplay {
  int total = 0, success = 0, failed = 0, error = 0, skipped = 0;
  std::vector<std::string> red;  // failed and errored cases, "name (file)"
};

GitlabDisplay gitlab(const Node& root) {
  GitlabDisplay d;
  for (const Node* c : testcases(root)) {
    ++d.total;
    std::string status = c->child("failure")   ? "failed"
                         : c->child("error")   ? "error"
                         : c->child("skipped") ? "skipped"
                                               : "success";
    if (status == "failed") ++d.failed;
    if (status == "error") ++d.error;
    if (status == "skipped") ++d.skipped;
    if (status == "success") ++d.success;
    if (status == "failed" || status == "error")
      d.red.push_back(c->attribute("name") + " (" + c->attribute("file") + ")");
  }
  return d;
}

struct JenkinsDisplay {
  int total = 0, failed = 0, skipped = 0, passed = 0;
  std::string result = "SUCCESS";
  std::map<std::string, std::string> first_message;  // failed case -> the message shown
};

JenkinsDisplay jenkins(const Node& root) {
  JenkinsDisplay d;
  for (const Node* c : testcases(root)) {
    ++d.total;
    const Node* red = nullptr;
    for (const Node& e : c->children)
      if (!red && (e.name == "failure" || e.name == "error")) red = &e;
    if (red) {
      ++d.failed;
      d.first_message[c->attribute("name")] = red->attribute("message");
    } else if (c->child("skipped")) {
      ++d.skipped;
    } else {
      ++d.passed;
    }
  }
  if (d.failed > 0) d.result = "UNSTABLE";
  return d;
}

// One annotation per failed or errored case: "file:line: name".
std::vector<std::string> annotations(const Node& root) {
  std::vector<std::string> out;
  for (const Node* c : testcases(root))
    if (c->child("failure") || c->child("error"))
      out.push_back(c->attribute("file") + ":" + c->attribute("line") + ": " + c->attribute("name"));
  return out;
}

RunRecord run(int seed, RunStatus status, std::string message = "") {
  RunRecord r;
  r.run = {"s" + std::to_string(seed) + "-deterministic-cpu-r0", seed, "deterministic", "cpu", 0, 0};
  r.status = status;
  r.message = std::move(message);
  r.process.wall_seconds = status == RunStatus::skipped ? 0 : 1.25 + seed;
  return r;
}

CheckResult check(std::string name, checks::CheckKind kind, checks::Verdict verdict, checks::Verdict counted_as,
                  int line, const std::string& message = "") {
  CheckResult c;
  c.outcome.name = std::move(name);
  c.outcome.kind = kind;
  c.outcome.metric = "accuracy";
  c.outcome.verdict = verdict;
  if (!message.empty()) c.outcome.messages = {message};
  c.counted_as = counted_as;
  c.policy_line = line;
  return c;
}

// A sweep the policy passes: one crash within allowed_failures = 1, one run
// skipped, an inconclusive check the policy counts as a pass.
SweepResults passing_sweep() {
  SweepResults results;
  results.subject = "train.py";
  results.policy_path = "seedgate.toml";
  results.seeds = {0, 1, 2, 3};
  results.wall_seconds = 4.5;
  results.verdict = SweepVerdict::pass;
  results.runs = {run(0, RunStatus::passed), run(1, RunStatus::passed), run(2, RunStatus::passed),
                  run(3, RunStatus::failed, "exited with code 137"),
                  run(4, RunStatus::skipped, "no GPU on this machine")};
  results.checks = {
      check("variance-accuracy", checks::CheckKind::variance, checks::Verdict::pass, checks::Verdict::pass, 7),
      check("threshold-accuracy", checks::CheckKind::threshold, checks::Verdict::inconclusive, checks::Verdict::pass,
            12, "accuracy: the interval straddles the bound")};
  return results;
}

// A sweep that fails: a check fails, another errors, an inconclusive one counts
// as a fail, and two runs crash where one is allowed.
SweepResults failing_sweep() {
  SweepResults results = passing_sweep();
  results.verdict = SweepVerdict::fail;
  results.runs[1] = run(1, RunStatus::failed, "exited with code 1");
  results.checks = {check("variance-accuracy", checks::CheckKind::variance, checks::Verdict::fail,
                          checks::Verdict::fail, 7, "accuracy: std 0.03 is above std_at_most 0.01"),
                    check("threshold-accuracy", checks::CheckKind::threshold, checks::Verdict::inconclusive,
                          checks::Verdict::fail, 12, "accuracy: the interval straddles the bound"),
                    check("repro-loss", checks::CheckKind::reproducibility, checks::Verdict::error,
                          checks::Verdict::error, 18, "loss: no run reported it")};
  return results;
}

// What each consumer shows for a sweep whose policy passed it: nothing red.
TEST(JunitConsumersTest, PassingSweepShowsNothingRed) {
  Node root = parse(render_junit(passing_sweep(), {}, 1));
  GitlabDisplay g = gitlab(root);
  EXPECT_EQ(g.total, 7);
  EXPECT_EQ(g.success, 6);
  EXPECT_EQ(g.failed, 0);
  EXPECT_EQ(g.error, 0);
  EXPECT_EQ(g.skipped, 1);
  JenkinsDisplay j = jenkins(root);
  EXPECT_EQ(j.result, "SUCCESS");
  EXPECT_EQ(j.total, 7);
  EXPECT_EQ(j.passed, 6);
  EXPECT_EQ(j.skipped, 1);
  EXPECT_TRUE(annotations(root).empty());
  // The allowed crash and the inconclusive check are notes a reader can find.
  std::string xml = render_junit(passing_sweep(), {}, 1);
  EXPECT_NE(xml.find("<system-out>failed, within allowed_failures 1: exited with code 137"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<system-out>inconclusive, counted as a pass"), std::string::npos) << xml;
  // Reported later from the stored results, without the policy: a passing verdict keeps them notes.
  EXPECT_EQ(jenkins(parse(render_junit(passing_sweep(), {}))).result, "SUCCESS");
}

TEST(JunitConsumersTest, FailingSweepShowsEachRedCaseOnceWhereItIsWritten) {
  Node root = parse(render_junit(failing_sweep(), {}, 1));
  GitlabDisplay g = gitlab(root);
  EXPECT_EQ(g.total, 8);
  EXPECT_EQ(g.failed, 4);  // two checks, two runs (beyond the allowance)
  EXPECT_EQ(g.error, 1);   // the check that errored is an error, not a failure
  EXPECT_EQ(g.skipped, 1);
  EXPECT_EQ(g.success, 2);
  JenkinsDisplay j = jenkins(root);
  EXPECT_EQ(j.result, "UNSTABLE");
  EXPECT_EQ(j.failed, 5);
  EXPECT_EQ(j.skipped, 1);
  EXPECT_EQ(j.first_message["repro-loss"], "loss: no run reported it");
  EXPECT_EQ(j.first_message["variance-accuracy"], "accuracy: std 0.03 is above std_at_most 0.01");
  EXPECT_EQ(annotations(root), (std::vector<std::string>{
                                   "seedgate.toml:18: repro-loss",
                                   "seedgate.toml:12: threshold-accuracy",
                                   "seedgate.toml:7: variance-accuracy",
                                   ":: run[seed=1,mode=deterministic,device=cpu,repeat=0]",
                                   ":: run[seed=3,mode=deterministic,device=cpu,repeat=0]",
                               }));
  // Without the policy, an error verdict leaves the crashes red as well.
  SweepResults errored = failing_sweep();
  errored.verdict = SweepVerdict::error;
  EXPECT_EQ(gitlab(parse(render_junit(errored, {}))).failed, 4);
}

// Every count the report states matches the elements it holds, and every
// level's time is the sum of the level below.
void expect_consistent(const Node& root) {
  ASSERT_EQ(root.name, "testsuites");
  int tests = 0, failures = 0, errors = 0;
  double time = 0;
  for (const Node& suite : root.children) {
    ASSERT_EQ(suite.name, "testsuite");
    int t = 0, f = 0, e = 0, s = 0;
    double seconds = 0;
    for (const Node& c : suite.children) {
      if (c.name != "testcase") continue;
      ++t;
      int red = 0;
      for (const Node& x : c.children) red += x.name == "failure" || x.name == "error";
      EXPECT_LE(red, 1) << c.attribute("name");
      f += c.child("failure") != nullptr;
      e += c.child("error") != nullptr;
      s += c.child("skipped") != nullptr;
      seconds += std::stod(c.attribute("time"));
    }
    EXPECT_EQ(suite.attribute("tests"), std::to_string(t)) << suite.attribute("name");
    EXPECT_EQ(suite.attribute("failures"), std::to_string(f)) << suite.attribute("name");
    EXPECT_EQ(suite.attribute("errors"), std::to_string(e)) << suite.attribute("name");
    EXPECT_EQ(suite.attribute("skipped"), std::to_string(s)) << suite.attribute("name");
    EXPECT_NEAR(std::stod(suite.attribute("time")), seconds, 0.0015) << suite.attribute("name");
    tests += t;
    failures += f;
    errors += e;
    time += std::stod(suite.attribute("time"));
  }
  EXPECT_EQ(root.attribute("tests"), std::to_string(tests));
  EXPECT_EQ(root.attribute("failures"), std::to_string(failures));
  EXPECT_EQ(root.attribute("errors"), std::to_string(errors));
  EXPECT_NEAR(std::stod(root.attribute("time")), time, 0.0015);
}

TEST(JunitConsumersTest, CountsAndTimesMatchTheElements) {
  expect_consistent(parse(render_junit(passing_sweep(), {}, 1)));
  expect_consistent(parse(render_junit(failing_sweep(), {}, 1)));
  expect_consistent(parse(render_junit(failing_sweep(), {}, 0)));
  expect_consistent(parse(render_junit(failing_sweep(), {})));
}

// Both sweeps validate against the junit-10 schema (the xunit plugin's).
TEST(JunitConsumersTest, BothSweepsValidateAgainstTheSchema) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  int n = 0;
  for (const SweepResults& results : {passing_sweep(), failing_sweep()}) {
    std::string xml = render_junit(results, {}, 1);
    auto path = std::filesystem::temp_directory_path() / ("seedgate-junit-consumers-" + std::to_string(n++) + ".xml");
    ASSERT_TRUE(util::write_file_atomic(path, xml));
    std::string command = std::string("xmllint --noout --schema ") + JUNIT_SCHEMA + " " + path.string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << xml;
  }
}

}  // namespace
}  // namespace seedgate
