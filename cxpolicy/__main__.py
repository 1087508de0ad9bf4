from cxpolicy.cli import main

main()
