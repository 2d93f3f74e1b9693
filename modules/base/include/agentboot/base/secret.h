// agentboot::base — Secret: a string that never prints. Included through agentboot/base.h.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Secret: a string that never prints. Reveal() is the one place a token or key leaves it; grep
// for it in review.

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(const Secret& other) {
    if (this != &other) {
      Wipe();
      value_ = other.value_;
    }
    return *this;
  }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~Secret() { Wipe(); }  // the bytes are zeroed before the memory is given back
  const std::string& Reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  friend std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "***"; }
  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  void Wipe() noexcept;  // zeroes the whole buffer (explicit_bzero), then empties it
  std::string value_;
};

}  // namespace agentboot
