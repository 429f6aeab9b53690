# bash completion for goxel-client.
#
# Completes verbs and options; after `call` (and `methods`) completes the
# daemon's method names, asked from the daemon itself with
# `goxel-client methods --names` when it answers within a second, else from
# a built-in list of the control methods.
# Install: source this file, or copy it to
# /usr/share/bash-completion/completions/goxel-client.

_goxel_client_methods() {
  local socket_args=("$@") names
  names=$(command goxel-client "${socket_args[@]}" --timeout 1 \
    methods --names 2>/dev/null) ||
    names="ping echo version status health list_methods metrics
goxel.ping goxel.get_version goxel.create_project goxel.load_project
goxel.save_project goxel.export_model goxel.render_scene goxel.add_voxel
goxel.remove_voxel goxel.get_voxel goxel.get_status"
  printf '%s\n' "$names"
}

_goxel_client() {
  local cur prev verb i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  local verbs="call ping health status metrics methods version render save load export"
  local global_opts="--socket -s --timeout -t --json --color --raw -r --quiet -q --help -h --version"
  local socket_args=()

  # The verb, and a --socket given before it (used to ask the daemon).
  verb=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -s | --socket) socket_args=(--socket "${COMP_WORDS[i + 1]}") ;;
      -*) ;;
      *)
        if [[ " $verbs " == *" ${COMP_WORDS[i]} "* ]]; then
          verb=${COMP_WORDS[i]}
          break
        fi
        ;;
    esac
  done

  case $prev in
    -s | --socket | -o | --out)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --json)
      mapfile -t COMPREPLY < <(compgen -W "pretty short" -- "$cur")
      return
      ;;
    --color)
      mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
      return
      ;;
    --camera)
      mapfile -t COMPREPLY < <(compgen -W "front back left right top bottom isometric" -- "$cur")
      return
      ;;
    --projection)
      mapfile -t COMPREPLY < <(compgen -W "perspective orthographic" -- "$cur")
      return
      ;;
    -t | --timeout | --width | --height | --fov | --ortho-height | --position | --target | --up | --format)
      return
      ;;
  esac

  if [[ -z $verb ]]; then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$global_opts" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
    fi
    return
  fi

  case $verb in
    call | methods)
      if [[ $prev == "$verb" ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_goxel_client_methods "${socket_args[@]}") -" -- "$cur")
      fi
      ;;
    health) mapfile -t COMPREPLY < <(compgen -W "--latency" -- "$cur") ;;
    metrics) mapfile -t COMPREPLY < <(compgen -W "--prometheus" -- "$cur") ;;
    render)
      mapfile -t COMPREPLY < <(compgen -W "--out --width --height --camera --projection --fov --ortho-height --position --target --up" -- "$cur")
      ;;
    save | load | export)
      if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "--keep-path --format" -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      fi
      ;;
  esac
}

complete -o default -F _goxel_client goxel-client
