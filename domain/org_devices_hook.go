package domain

// This file is the seam between the organization area and the license
// lifecycle (devices, bindings, free pools), which is developed separately.
// The organization deciders and events ask and change devices only through
// these functions; the license lifecycle owns them and may reimplement them
// as its device model grows (free pools, for instance, are keyed by project
// and must follow a project join here).
//
// A device sits in at most one project per company (Device.In is keyed by
// company), so company changes of a project move placements between keys.

// projectHasDevices reports whether any device is in project id. Deleting a
// project is refused while it has devices.
func projectHasDevices(s *State, id ProjectID) bool {
	for _, d := range s.Devices {
		for _, pl := range d.In {
			if pl.Project == id {
				return true
			}
		}
	}
	return false
}

// projectHasFreeLicenses reports whether project id's free pool holds
// licenses; deleting the project would lose them.
func projectHasFreeLicenses(s *State, id ProjectID) bool { return len(s.Free[id]) > 0 }

// reassignProjectDevices moves every device and the free pool of project
// from into project to, of the same company; a project join calls it before
// deleting from.
func reassignProjectDevices(s *State, from, to ProjectID) {
	for _, d := range s.Devices {
		for _, pl := range d.In {
			if pl.Project == from {
				pl.Project = to
				if pl.Rental == to {
					pl.Rental = 0 // its own project is the rental project now
				}
			}
		}
	}
	if pool := s.Free[from]; len(pool) > 0 {
		s.addFree(to, pool)
	}
	delete(s.Free, from)
}

// projectDevicesInCompany reports whether a device of project id is also
// in company c (in another project); such a project cannot move to c, as
// the device would be in two of c's projects.
func projectDevicesInCompany(s *State, id ProjectID, c CompanyID) bool {
	for _, d := range s.Devices {
		if _, in := d.In[c]; !in {
			continue
		}
		for _, pl := range d.In {
			if pl.Project == id {
				return true
			}
		}
	}
	return false
}

// moveProjectDevices gives the placements of project id's devices from
// company from to company to; a project move calls it.
func moveProjectDevices(s *State, id ProjectID, from, to CompanyID) {
	for _, d := range s.Devices {
		if pl, ok := d.In[from]; ok && pl.Project == id {
			delete(d.In, from)
			d.In[to] = pl
		}
	}
}

// joinCompanyDevices gives the absorbed company's device placements to the
// company it is joined into; a company join calls it. A device already in
// both companies keeps its place in the target company.
func joinCompanyDevices(s *State, absorbed, into CompanyID) {
	for _, d := range s.Devices {
		if d.RMACompany == absorbed {
			// The joining company receives the freed licenses on reshipping.
			d.RMACompany = into
		}
		pl, ok := d.In[absorbed]
		if !ok {
			continue
		}
		delete(d.In, absorbed)
		if kept, both := d.In[into]; !both {
			d.In[into] = pl
		} else if kept.Rental == 0 && pl.Rental != 0 && pl.Rental != kept.Project {
			kept.Rental = pl.Rental // it still holds the rental project's licenses
		}
		if d.Owner == absorbed {
			d.Owner = into
		}
	}
}
