# The report against ground truth: profiled durations equal the sim
# board's true ones (to one tick), and for six scenarios with one injected
# bottleneck each (boards/sim/scenarios) the report names it as primary.
find_program(RP_PYTHON3 python3)
if(NOT RP_PYTHON3)
  message(WARNING "python3 not found: the report accuracy tests are not registered")
  return()
endif()
set(rp_acc ${CMAKE_CURRENT_LIST_DIR}/report_accuracy/run.sh)
foreach(workload program mlp scan solver)
  add_test(NAME integration.accuracy.truth.${workload}
           COMMAND ${rp_acc} truth ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${workload})
endforeach()
foreach(workload program mlp)
  add_test(NAME integration.accuracy.threads.${workload}
           COMMAND ${rp_acc} threads ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${workload})
endforeach()
foreach(pair slow-adc:adc-bound-mvm stuck-cells:write-verify-inflation
             narrow-interface:interface-bound slow-mcu:mcu-gaps
             slow-link:transport-loss hot-tile:tile-imbalance)
  string(REPLACE ":" ";" parts ${pair})
  list(GET parts 0 scenario)
  list(GET parts 1 expected)
  add_test(NAME integration.accuracy.scenario.${scenario}
           COMMAND ${rp_acc} scenario ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${scenario} ${expected})
endforeach()
set_tests_properties(integration.accuracy.truth.program PROPERTIES TIMEOUT 120)
