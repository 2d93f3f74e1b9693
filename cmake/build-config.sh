# Sourced by tests/run.sh and agentboot/demo.sh: the one configuration of build/ (both add
# -G Ninja), so the demo and the test command share it and never rebuild each other's work.
# Warnings are errors here (and so in CI); a plain `cmake -S . -B b` leaves AGENTBOOT_WERROR off.
# Line tables (-g1) are all that sanitizer and crash reports need, and compile about 30 % faster
# than full debug info; the generated code is the same.
agentboot_build_config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DAGENTBOOT_WERROR=ON)
