# Lays out a fake agent package like vsts-agent-linux-x64-<ver>.tar.gz and packs it.
# Inputs: LISTENER (the fake Agent.Listener), LAYOUT (layout/), STAGE (scratch dir), OUTPUT.
set(exec_perms OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
    WORLD_EXECUTE)
file(REMOVE_RECURSE ${STAGE})
file(MAKE_DIRECTORY ${STAGE}/bin ${STAGE}/externals)
file(COPY ${LISTENER} DESTINATION ${STAGE}/bin FILE_PERMISSIONS ${exec_perms})
get_filename_component(listener_name ${LISTENER} NAME)
file(RENAME ${STAGE}/bin/${listener_name} ${STAGE}/bin/Agent.Listener)
file(COPY ${LAYOUT}/Agent.Worker DESTINATION ${STAGE}/bin FILE_PERMISSIONS ${exec_perms})
file(COPY ${LAYOUT}/run.sh ${LAYOUT}/config.sh ${LAYOUT}/env.sh DESTINATION ${STAGE}
     FILE_PERMISSIONS ${exec_perms})
file(COPY ${LAYOUT}/license.html DESTINATION ${STAGE})
file(COPY ${LAYOUT}/README.externals DESTINATION ${STAGE}/externals)
file(RENAME ${STAGE}/externals/README.externals ${STAGE}/externals/README)
execute_process(COMMAND tar -czf ${OUTPUT} -C ${STAGE} .
                RESULT_VARIABLE tar_result)
if(NOT tar_result EQUAL 0)
  message(FATAL_ERROR "tar failed for ${OUTPUT}")
endif()
