#pragma once

#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace credpool::testing {

// What one run of the credpool binary printed and returned.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A throwaway $CREDPOOL_HOME and a way to run the built binary in it with a controlled
// environment: only PATH, HOME, CREDPOOL_HOME, ASAN/UBSAN options and what the test sets, so a
// developer's OPENAI_API_KEY never leaks into a test.
class CliHome {
 public:
  CliHome() {
    std::string pattern = (std::filesystem::temp_directory_path() / "credpool-cli-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~CliHome() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  CliHome(const CliHome&) = delete;
  CliHome& operator=(const CliHome&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path auth_path() const { return dir_ / "auth.json"; }

  void set_env(const std::string& name, const std::string& value) { env_[name] = value; }
  void unset_env(const std::string& name) { env_.erase(name); }

  void write_file(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string read_file(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  nlohmann::json auth_json() const { return nlohmann::json::parse(read_file("auth.json")); }

  // Runs `credpool args...` with `input` on stdin (a pipe, never a terminal). Bounded: the child
  // ends when its stdin closes or it finishes its command.
  CliRun run(const std::vector<std::string>& args, const std::string& input = "") const {
    return spawn_and_drain(args, input, std::nullopt);
  }

  // Runs a command that does not end by itself (`status --watch`) until its stdout contains
  // `wanted`, then kills it (exit_code then reports the signal). Bounded: gives up after 20 s.
  CliRun run_until_output(const std::vector<std::string>& args, const std::string& wanted) const {
    return spawn_and_drain(args, "", wanted);
  }

 private:
  CliRun spawn_and_drain(const std::vector<std::string>& args, const std::string& input,
                         const std::optional<std::string>& stop_at) const {
    std::vector<std::string> argv_text{CREDPOOL_BIN};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_text = environment();
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) return {};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      posix_spawn_file_actions_addclose(&actions, fd);
    }
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    CliRun result;
    if (spawned != 0) {
      ::close(in_pipe[1]);
      ::close(out_pipe[0]);
      ::close(err_pipe[0]);
      result.err = "posix_spawn failed";
      return result;
    }
    // Small inputs fit in the pipe buffer; the child reads them at its own pace.
    if (!input.empty()) {
      [[maybe_unused]] auto n = ::write(in_pipe[1], input.data(), input.size());
    }
    ::close(in_pipe[1]);
    drain(out_pipe[0], err_pipe[0], result, stop_at);
    if (stop_at) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
  }

  std::vector<std::string> environment() const {
    std::map<std::string, std::string> env{{"CREDPOOL_HOME", dir_.string()},
                                           {"HOME", dir_.string()}};
    for (const char* name : {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
      if (const char* v = std::getenv(name)) env[name] = v;
    }
    for (const auto& [k, v] : env_) env[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  }

  // Reads both pipes until they close or, with `stop_at`, until stdout contains it (at most 20 s).
  static void drain(int out_fd, int err_fd, CliRun& result,
                    const std::optional<std::string>& stop_at) {
    std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
    int open = 2;
    std::array<char, 4096> buf{};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (open > 0) {
      if (stop_at && (result.out.find(*stop_at) != std::string::npos ||
                      std::chrono::steady_clock::now() > deadline)) {
        break;
      }
      if (::poll(fds.data(), fds.size(), stop_at ? 1000 : -1) < 0) break;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
        if (n <= 0) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open;
          continue;
        }
        (i == 0 ? result.out : result.err).append(buf.data(), static_cast<std::size_t>(n));
      }
    }
    for (const pollfd& p : fds) {
      if (p.fd >= 0) ::close(p.fd);
    }
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace credpool::testing
