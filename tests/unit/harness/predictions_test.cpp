#include "harness/predictions.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

using checks::PredictionKind;
using checks::Predictions;

// The error text of parsing `content`; a failure when it parses.
std::string error_of(std::string_view content) {
  auto parsed = parse_predictions(content, "predictions");
  if (parsed) return "(parsed, no error)";
  return parsed.error();
}

Predictions parsed(std::string_view content) {
  auto result = parse_predictions(content, "predictions");
  EXPECT_TRUE(result) << result.error();
  if (!result) return {};
  return std::move(result).value();
}

// Builds a binary predictions file, little-endian as the format says.
class Binary {
 public:
  Binary(std::uint32_t kind, std::uint32_t classes, std::uint64_t rows) {
    m_bytes = std::string(kPredictionsMagic);
    u32(kind);
    u32(classes);
    u64(rows);
  }
  Binary& u32(std::uint32_t v) { return bytes(v, 4); }
  Binary& u64(std::uint64_t v) { return bytes(v, 8); }
  Binary& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  Binary& f64(double v) { return u64(std::bit_cast<std::uint64_t>(v)); }
  Binary& f32(float v) { return u32(std::bit_cast<std::uint32_t>(v)); }
  const std::string& str() const { return m_bytes; }

 private:
  Binary& bytes(std::uint64_t v, int count) {
    for (int i = 0; i < count; ++i) m_bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return *this;
  }
  std::string m_bytes;
};

std::filesystem::path temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("seedgate-predictions-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

// --- CSV: what is refused, and the exact words ---

TEST(PredictionsCsvTest, WrongColumnCountNamesLineAndCounts) {
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,0.5\nb,1,0.5\n"), "predictions:3: 3 columns, the header has 4");
  EXPECT_EQ(error_of("id,target,value\na,1,2,3\n"), "predictions:2: 4 columns, the header has 3");
  EXPECT_EQ(error_of("id,label,class\na,1,1,\n"), "predictions:2: 4 columns, the header has 3");
}

TEST(PredictionsCsvTest, NonNumbersNameTheColumn) {
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,nan,0.5\n"), "predictions:2: column p0: 'nan' is not a finite number");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,inf\n"), "predictions:2: column p1: 'inf' is not a finite number");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,0.5x\n"), "predictions:2: column p1: '0.5x' is not a number");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,,1\n"), "predictions:2: column p0 is empty");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0, 0.5,0.5\n"), "predictions:2: column p0: ' 0.5' is not a number");
  EXPECT_EQ(error_of("id,target,value\na,1,-nan\n"), "predictions:2: column value: '-nan' is not a finite number");
  EXPECT_EQ(error_of("id,target,value\na,1e999,1\n"), "predictions:2: column target: '1e999' is out of range");
  EXPECT_EQ(error_of("id,label,class\na,one,1\n"), "predictions:2: column label: 'one' is not a number");
}

TEST(PredictionsCsvTest, ProbabilitiesOutsideZeroToOne) {
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,1.5,-0.5\n"), "predictions:2: column p0: 1.5 is not in [0, 1]");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,1,-0\n"), "(parsed, no error)");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,1.0001,-0.0001\n"), "predictions:2: column p0: 1.0001 is not in [0, 1]");
}

TEST(PredictionsCsvTest, RowNotSummingToOne) {
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,0.5\nb,1,0.5,0.37\n"),
            "predictions:3: probabilities sum to 0.87, not 1 (within 0.001)");
  EXPECT_EQ(error_of("id,label,p0,p1,p2\na,0,0,0,0\n"), "predictions:2: probabilities sum to 0, not 1 (within 0.001)");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,0.502\n"),
            "predictions:2: probabilities sum to 1.002, not 1 (within 0.001)");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0,0.5,0.5009\n"), "(parsed, no error)");
}

TEST(PredictionsCsvTest, DuplicateIdNamesBothLines) {
  EXPECT_EQ(error_of("id,target,value\nx,1,1\ny,2,2\nx,3,3\n"), "predictions:4: id 'x' again (first on row 2)");
}

TEST(PredictionsCsvTest, BadIds) {
  EXPECT_EQ(error_of("id,target,value\n,1,1\n"), "predictions:2: the id is empty");
  EXPECT_EQ(error_of("id,target,value\n\"a\",1,1\n"),
            "predictions:2: id '\"a\"' has a quote; ids are written unquoted");
  EXPECT_EQ(error_of("id,target,value\na\tb,1,1\n"), "predictions:2: id 'a\\x09b' has a control character");
  std::string long_id(kMaxPredictionIdBytes + 1, 'i');
  EXPECT_EQ(error_of("id,target,value\n" + long_id + ",1,1\n"),
            "predictions:2: the id is 257 bytes; ids are at most 256");
  std::string longest(kMaxPredictionIdBytes, 'i');
  EXPECT_EQ(error_of("id,target,value\n" + longest + ",1,1\n"), "(parsed, no error)");
}

TEST(PredictionsCsvTest, BadHeaderSaysWhatIsAccepted) {
  const std::string accepted =
      "the header is one of 'id,label,p0,...,pK-1' (K >= 2 probability columns), 'id,label,class' or "
      "'id,target,value'";
  EXPECT_EQ(error_of("id,label,prediction\na,1,1\n"),
            "predictions:1: header 'id,label,prediction' is not one seedgate reads; " + accepted);
  EXPECT_EQ(error_of("label,id,class\n"),
            "predictions:1: header 'label,id,class' is not one seedgate reads; " + accepted);
  EXPECT_EQ(error_of("ID,target,value\na,1,1\n"),
            "predictions:1: header 'ID,target,value' is not one seedgate reads; " + accepted);
  EXPECT_EQ(error_of("id,target,value,extra\na,1,1,1\n"),
            "predictions:1: header 'id,target,value,extra' is not one seedgate reads; " + accepted);
  EXPECT_EQ(error_of("id,label,p0,p2\na,0,0.5,0.5\n"),
            "predictions:1: column 4 is 'p2', expected 'p1' (probability columns are p0, p1, ... in order)");
  EXPECT_EQ(error_of("id,label,p0\na,0,1\n"), "predictions:1: one probability column; probabilities need two or more");
  std::string wide = "id,label";
  for (std::size_t k = 0; k <= kMaxPredictionClasses; ++k) wide += ",p" + std::to_string(k);
  EXPECT_EQ(error_of(wide + "\n"), "predictions:1: 1001 probability columns; seedgate reads at most 1000 classes");
}

TEST(PredictionsCsvTest, LabelsAndClassesMustBeWholeNumbersInRange) {
  EXPECT_EQ(error_of("id,label,p0,p1\na,2,0.5,0.5\n"), "predictions:2: column label: 2 is not a class of 2 (0..1)");
  EXPECT_EQ(error_of("id,label,p0,p1\na,-1,0.5,0.5\n"), "predictions:2: column label: -1 is not a whole number >= 0");
  EXPECT_EQ(error_of("id,label,p0,p1\na,0.5,0.5,0.5\n"), "predictions:2: column label: 0.5 is not a whole number >= 0");
  EXPECT_EQ(error_of("id,label,class\na,0,1.25\n"), "predictions:2: column class: 1.25 is not a whole number >= 0");
  EXPECT_EQ(error_of("id,label,class\na,1e300,1\n"),
            "predictions:2: column label: 1e+300 is more classes than seedgate reads (at most 1000)");
  EXPECT_EQ(error_of("id,label,class\na,1,1000\n"),
            "predictions:2: column class: 1000 is more classes than seedgate reads (at most 1000)");
  EXPECT_EQ(error_of("id,target,value\na,-1.5,2.5e-3\n"), "(parsed, no error)");
}

TEST(PredictionsCsvTest, EmptyHeaderOnlyAndBlankLines) {
  EXPECT_EQ(error_of(""), "predictions: is empty");
  EXPECT_EQ(error_of("\n\n"), "predictions: is empty");
  EXPECT_EQ(error_of("id,label,class\n"), "predictions: has a header but no rows");
  EXPECT_EQ(error_of("id,label,class"), "predictions: has a header but no rows");
  EXPECT_EQ(error_of("id,label,class\r\n\r\n\n"), "predictions: has a header but no rows");
  EXPECT_EQ(error_of("id,label,class\na,1,1\n\nb,1,1\n"),
            "predictions:3: blank line before the end of the file (only the end may have blank lines)");
  EXPECT_EQ(error_of("\nid,label,class\na,1,1\n"),
            "predictions:1: blank line before the end of the file (only the end may have blank lines)");
  EXPECT_EQ(error_of("id,label,class\na,1,1\n\n\r\n"), "(parsed, no error)");
}

TEST(PredictionsCsvTest, ALoneCarriageReturnIsNotALineEnd) {
  EXPECT_EQ(error_of("id,target,value\na,1,1\rb\n"), "predictions:2: column value: '1\\x0db' is not a number");
}

TEST(PredictionsCsvTest, MoreRowsThanTheCapIsAnError) {
  std::string content = "id,target,value\n";
  content.reserve(20 * kMaxPredictionRows);
  for (std::size_t i = 0; i <= kMaxPredictionRows; ++i) {
    content += std::to_string(i);
    content += ",1,2\n";
  }
  EXPECT_EQ(error_of(content), "predictions:1000002: more than 1000000 rows; seedgate reads at most 1000000");
  // Exactly the cap is read.
  content.resize(content.rfind("1000000,1,2\n"));
  auto result = parse_predictions(content, "predictions");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->rows(), kMaxPredictionRows);
}

TEST(PredictionsCsvTest, MoreProbabilitiesThanTheCellCapIsAnError) {
  // 1000 classes: 10,000 rows fill the cap, one more passes it.
  std::string header = "id,label";
  std::string row_tail = ",0,1";
  for (std::size_t k = 0; k < kMaxPredictionClasses; ++k) {
    header += ",p" + std::to_string(k);
    if (k > 0) row_tail += ",0";
  }
  std::string content = header + "\n";
  const std::size_t fit = kMaxPredictionCells / kMaxPredictionClasses;
  content.reserve((fit + 1) * (row_tail.size() + 8));
  for (std::size_t i = 0; i <= fit; ++i) content += std::to_string(i) + row_tail + "\n";
  EXPECT_EQ(error_of(content),
            "predictions:10002: 10001 rows of 1000 probabilities; seedgate reads at most 10000000 probabilities");
}

// --- CSV: what is read ---

TEST(PredictionsCsvTest, ProbabilitiesNormalisedAndArgMax) {
  auto p = parsed("id,label,p0,p1,p2\nfirst,2,0.2,0.3,0.5\nsecond,0,0.4,0.4,0.2\nthird,1,0.5,0.5005,0\n");
  EXPECT_EQ(p.kind, PredictionKind::probabilities);
  EXPECT_EQ(p.classes, 3u);
  EXPECT_EQ(p.ids, (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(p.truth, (std::vector<double>{2, 0, 1}));
  ASSERT_EQ(p.probabilities.size(), 9u);
  EXPECT_EQ(p.probabilities[0], static_cast<float>(0.2 / (0.2 + 0.3 + 0.5)));
  EXPECT_EQ(p.probabilities[2], static_cast<float>(0.5 / (0.2 + 0.3 + 0.5)));
  // Sums to 1.0005: each divided by the sum.
  EXPECT_EQ(p.probabilities[6], static_cast<float>(0.5 / 1.0005));
  EXPECT_EQ(p.probabilities[7], static_cast<float>(0.5005 / 1.0005));
  EXPECT_EQ(p.probabilities[8], 0.0f);
  for (std::size_t row = 0; row < 3; ++row) {
    double sum = 0;
    for (std::size_t k = 0; k < 3; ++k) sum += p.probabilities[row * 3 + k];
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << row;
  }
  // The arg max, the lowest index on a tie (row "second").
  EXPECT_EQ(p.predicted, (std::vector<double>{2, 0, 1}));
  EXPECT_EQ(p.source, "predictions");
}

TEST(PredictionsCsvTest, ClassesCountIsOneMoreThanTheLargest) {
  auto p = parsed("id,label,class\na,0,3\nb,1,1\nc,2.0,0\n");
  EXPECT_EQ(p.kind, PredictionKind::classes);
  EXPECT_EQ(p.classes, 4u);
  EXPECT_EQ(p.truth, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(p.predicted, (std::vector<double>{3, 1, 0}));
  EXPECT_TRUE(p.probabilities.empty());
  auto q = parsed("id,label,class\na,5,0\n");
  EXPECT_EQ(q.classes, 6u);
}

TEST(PredictionsCsvTest, ValuesExactly) {
  auto p = parsed("id,target,value\nr1,1.5,1e-3\nr2,-2,0.30000000000000004\n");
  EXPECT_EQ(p.kind, PredictionKind::values);
  EXPECT_EQ(p.classes, 0u);
  EXPECT_EQ(p.ids, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(p.truth, (std::vector<double>{1.5, -2}));
  EXPECT_EQ(p.predicted, (std::vector<double>{1e-3, 0.1 + 0.2}));
  EXPECT_TRUE(p.probabilities.empty());
}

TEST(PredictionsCsvTest, CrLfAndNoFinalNewline) {
  auto crlf = parsed("id,target,value\r\na,1,2\r\nb,3,4\r\n");
  EXPECT_EQ(crlf.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(crlf.predicted, (std::vector<double>{2, 4}));
  auto open_end = parsed("id,target,value\na,1,2\nb,3,4");
  EXPECT_EQ(open_end.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(open_end.truth, (std::vector<double>{1, 3}));
  auto open_crlf = parsed("id,label,p0,p1\r\na,1,0.25,0.75\r");
  EXPECT_EQ(open_crlf.probabilities, (std::vector<float>{0.25f, 0.75f}));
}

TEST(PredictionsCsvTest, AByteOrderMarkBeforeTheHeaderIsSkipped) {
  auto p = parsed("\xEF\xBB\xBFid,target,value\na,1,2\n");
  EXPECT_EQ(p.ids, (std::vector<std::string>{"a"}));
}

TEST(PredictionsCsvTest, IdsMayBeAnyTextWithoutCommaQuoteOrLineEnd) {
  auto p = parsed("id,target,value\nimg 001.png,1,1\n\xC3\xA9t\xC3\xA9,2,2\n'single',3,3\n");
  EXPECT_EQ(p.ids, (std::vector<std::string>{"img 001.png", "\xC3\xA9t\xC3\xA9", "'single'"}));
}

TEST(PredictionsCsvTest, TenThousandRowsOfTenClassesParseQuickly) {
  std::string content = "id,label";
  for (int k = 0; k < 10; ++k) content += ",p" + std::to_string(k);
  content += "\n";
  for (int i = 0; i < 10'000; ++i) {
    content += "example-" + std::to_string(i) + "," + std::to_string(i % 10);
    for (int k = 0; k < 10; ++k) content += k == i % 10 ? ",0.55" : ",0.05";
    content += "\n";
  }
  auto started = std::chrono::steady_clock::now();
  auto p = parsed(content);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(p.rows(), 10'000u);
  EXPECT_EQ(p.predicted[1234], 4.0);
  std::cout << "10,000 x 10 CSV parsed in "
            << std::chrono::duration_cast<std::chrono::microseconds>(took).count() / 1000.0 << " ms\n";
  // Generous for debug and sanitizer builds; a release build takes a few ms.
  EXPECT_LT(took, std::chrono::milliseconds(500));
}

// --- Binary ---

TEST(PredictionsBinaryTest, TruncatedHeaderAndRows) {
  std::string header = Binary(2, 0, 2).str();
  EXPECT_EQ(error_of(header.substr(0, 20)), "predictions: the binary header is 20 bytes, not 24");
  EXPECT_EQ(error_of(std::string(kPredictionsMagic)), "predictions: the binary header is 8 bytes, not 24");
  std::string two_rows = Binary(2, 0, 2).i64(1).f64(1).f64(2).i64(2).f64(3).f64(4).str();
  EXPECT_EQ(error_of(two_rows.substr(0, two_rows.size() - 1)),
            "predictions: declares 2 rows (72 bytes) but holds 71 bytes");
  EXPECT_EQ(error_of(two_rows + "x"), "predictions: declares 2 rows (72 bytes) but holds 73 bytes");
  EXPECT_EQ(error_of(header), "predictions: declares 2 rows (72 bytes) but holds 24 bytes");
  EXPECT_EQ(error_of(Binary(2, 0, 0).str()), "predictions: has a header but no rows");
}

TEST(PredictionsBinaryTest, HugeDeclaredCountsAreRefusedBeforeReading) {
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(Binary(1, 0, 100'000'000).str()),
            "predictions: declares 100000000 rows; seedgate reads at most 1000000");
  EXPECT_EQ(error_of(Binary(0, 2, std::numeric_limits<std::uint64_t>::max()).str()),
            "predictions: declares 18446744073709551615 rows; seedgate reads at most 1000000");
  EXPECT_EQ(error_of(Binary(0, 1000, 10'001).str()),
            "predictions: declares 10001 rows of 1000 probabilities; seedgate reads at most 10000000 probabilities");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
}

TEST(PredictionsBinaryTest, KindAndClassesChecked) {
  EXPECT_EQ(error_of(Binary(3, 0, 1).str()), "predictions: unknown kind 3 (0 probabilities, 1 classes, 2 values)");
  EXPECT_EQ(error_of(Binary(0, 1, 1).str()), "predictions: 1 probability classes; probabilities need two or more");
  EXPECT_EQ(error_of(Binary(0, 1001, 1).str()),
            "predictions: 1001 probability classes; seedgate reads at most 1000 classes");
  EXPECT_EQ(error_of(Binary(1, 3, 1).str()),
            "predictions: kind classes declares 3 classes; only probabilities have a class count (0 expected)");
}

TEST(PredictionsBinaryTest, RowValuesCheckedLikeTheCsv) {
  auto probabilities = [](std::int64_t id, double label, float a, float b) {
    return Binary(0, 2, 1).i64(id).f64(label).f32(a).f32(b).str();
  };
  EXPECT_EQ(error_of(probabilities(1, 0, std::nanf(""), 0.5f)), "predictions: row 1: p0: nan is not in [0, 1]");
  EXPECT_EQ(error_of(probabilities(1, 0, 0.5f, 0.37f)),
            "predictions: row 1: probabilities sum to 0.87, not 1 (within 0.001)");
  EXPECT_EQ(error_of(probabilities(1, 2, 0.5f, 0.5f)), "predictions: row 1: label: 2 is not a class of 2 (0..1)");
  EXPECT_EQ(error_of(probabilities(1, NAN, 0.5f, 0.5f)), "predictions: row 1: label: nan is not a whole number >= 0");
  EXPECT_EQ(error_of(Binary(2, 0, 1).i64(1).f64(INFINITY).f64(1).str()),
            "predictions: row 1: target: inf is not a finite number");
  EXPECT_EQ(error_of(Binary(1, 0, 1).i64(1).f64(1).f64(0.5).str()),
            "predictions: row 1: class: 0.5 is not a whole number >= 0");
  EXPECT_EQ(error_of(Binary(2, 0, 3).i64(7).f64(1).f64(1).i64(-7).f64(1).f64(1).i64(7).f64(1).f64(1).str()),
            "predictions: row 3: id 7 again (first on row 1)");
}

TEST(PredictionsBinaryTest, ProbabilitiesNormalised) {
  auto p = parsed(Binary(0, 3, 2)
                      .i64(-5)
                      .f64(2)
                      .f32(0.25f)
                      .f32(0.25f)
                      .f32(0.5f)
                      .i64(1234567890123)
                      .f64(0)
                      .f32(0.5f)
                      .f32(0.5f)
                      .f32(0.0004f)
                      .str());
  EXPECT_EQ(p.kind, PredictionKind::probabilities);
  EXPECT_EQ(p.classes, 3u);
  EXPECT_EQ(p.ids, (std::vector<std::string>{"-5", "1234567890123"}));
  EXPECT_EQ(p.truth, (std::vector<double>{2, 0}));
  const double sum = 0.5 + 0.5 + static_cast<double>(0.0004f);
  EXPECT_EQ(p.probabilities,
            (std::vector<float>{0.25f, 0.25f, 0.5f, static_cast<float>(0.5 / sum), static_cast<float>(0.5 / sum),
                                static_cast<float>(static_cast<double>(0.0004f) / sum)}));
  EXPECT_EQ(p.predicted, (std::vector<double>{2, 0}));
}

TEST(PredictionsBinaryTest, ClassesAndValues) {
  auto c = parsed(Binary(1, 0, 2).i64(1).f64(4).f64(2).i64(2).f64(0).f64(0).str());
  EXPECT_EQ(c.kind, PredictionKind::classes);
  EXPECT_EQ(c.classes, 5u);
  EXPECT_EQ(c.ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(c.truth, (std::vector<double>{4, 0}));
  EXPECT_EQ(c.predicted, (std::vector<double>{2, 0}));
  auto v = parsed(Binary(2, 0, 1).i64(9).f64(-0.125).f64(3.0e-300).str());
  EXPECT_EQ(v.kind, PredictionKind::values);
  EXPECT_EQ(v.classes, 0u);
  EXPECT_EQ(v.truth, (std::vector<double>{-0.125}));
  EXPECT_EQ(v.predicted, (std::vector<double>{3.0e-300}));
}

// --- Reading files ---

TEST(PredictionsFileTest, FileLargerThanTheCapIsRefusedUnread) {
  auto path = temp_path("sparse");
  ASSERT_TRUE(util::write_file_atomic(path, "id,target,value\n"));
  std::filesystem::resize_file(path, kMaxPredictionFileBytes + 1);
  auto started = std::chrono::steady_clock::now();
  auto result = read_predictions(path, "runs/s0/predictions");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(),
            "runs/s0/predictions: 536870913 bytes; seedgate reads predictions files of at most 536870912 bytes");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
  std::filesystem::remove(path);
}

TEST(PredictionsFileTest, MissingDirectoryAndUnreadable) {
  auto missing = read_predictions(temp_path("absent"), "runs/s0/predictions");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "runs/s0/predictions: cannot read: no such file or directory");
  auto folder = temp_path("folder");
  std::filesystem::create_directories(folder);
  auto directory = read_predictions(folder, "runs/s0/predictions");
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error(), "runs/s0/predictions: is a directory, not a file");
  auto fifo = temp_path("fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto pipe = read_predictions(fifo, "runs/s0/predictions");
  ASSERT_FALSE(pipe);
  EXPECT_EQ(pipe.error(), "runs/s0/predictions: not a regular file");
  std::filesystem::remove(fifo);
  if (::geteuid() != 0) {
    auto locked = temp_path("locked");
    ASSERT_TRUE(util::write_file_atomic(locked, "id,target,value\na,1,1\n"));
    std::filesystem::permissions(locked, std::filesystem::perms::none);
    auto denied = read_predictions(locked, "runs/s0/predictions");
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error(), "runs/s0/predictions: cannot read: permission denied");
    std::filesystem::remove(locked);
  }
}

TEST(PredictionsFileTest, ReadsBothFormatsAndSetsTheSource) {
  auto csv_path = temp_path("csv");
  ASSERT_TRUE(util::write_file_atomic(csv_path, "id,label,class\na,1,0\n"));
  auto csv = read_predictions(csv_path, "runs/s1/predictions");
  ASSERT_TRUE(csv) << csv.error();
  EXPECT_EQ(csv->source, "runs/s1/predictions");
  EXPECT_EQ(csv->classes, 2u);
  auto bin_path = temp_path("bin");
  ASSERT_TRUE(util::write_file_atomic(bin_path, Binary(2, 0, 1).i64(3).f64(1).f64(2).str()));
  auto bin = read_predictions(bin_path, "runs/s2/predictions");
  ASSERT_TRUE(bin) << bin.error();
  EXPECT_EQ(bin->source, "runs/s2/predictions");
  EXPECT_EQ(bin->ids, (std::vector<std::string>{"3"}));
  auto bad_path = temp_path("bad");
  ASSERT_TRUE(util::write_file_atomic(bad_path, "id,target,value\na,1\n"));
  auto bad = read_predictions(bad_path, "runs/s3/predictions");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "runs/s3/predictions:2: 2 columns, the header has 3");
  std::filesystem::remove_all(csv_path.parent_path());
}

}  // namespace
}  // namespace seedgate
