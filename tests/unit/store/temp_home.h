#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/stat.h>

namespace credpool::testing {

// Creates a fresh directory under the system temp dir and removes it at the end of the test.
class TempHome {
 public:
  TempHome() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credpool-store-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
  }
  ~TempHome() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  // Returns a home directory inside the temp root that does not exist yet.
  std::filesystem::path home() const { return root_ / "home"; }
  std::filesystem::path auth() const { return home() / "auth.json"; }

 private:
  std::filesystem::path root_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

}  // namespace credpool::testing
