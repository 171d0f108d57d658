// A notebook's first cell: #load "<repo>/src/US3L.Notebook/bin/Release/net10.0/us3l.csx"
// references the kit and turns on its rich display (#r does not reference dependencies).
#r "US3L.Torch.dll"
#r "US3L.Kit.dll"
#r "US3L.Figures.dll"
#r "US3L.Notebook.dll"
US3L.Notebook.Notebook.Init();
