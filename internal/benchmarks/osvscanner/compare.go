package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// osvOutput is the part of osv-scanner's JSON output read here.
type osvOutput struct {
	Results []struct {
		Packages []struct {
			Package struct {
				Name      string `json:"name"`
				Version   string `json:"version"`
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
			Vulnerabilities []struct {
				ID      string   `json:"id"`
				Aliases []string `json:"aliases"`
			} `json:"vulnerabilities"`
			Groups []struct {
				IDs []string `json:"ids"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

// compare prints both tools' (advisory, package) pairs and the differences.
func compare(osvPath, llPath string) error {
	var o osvOutput
	if b, err := os.ReadFile(osvPath); err != nil {
		return err
	} else if len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("%s: %v", osvPath, err)
		}
	}
	var ll []finding
	b, err := os.ReadFile(llPath)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &ll); err != nil {
		return err
	}
	osvSet, llSet := map[string]bool{}, map[string]bool{}
	osvGroups, llVulns := 0, map[string]bool{}
	for _, r := range o.Results {
		for _, p := range r.Packages {
			for _, v := range p.Vulnerabilities {
				osvSet[v.ID+" × "+p.Package.Name+" "+p.Package.Version] = true
			}
			osvGroups += len(p.Groups)
		}
	}
	for _, f := range ll {
		llSet[f.Advisory+" × "+f.Package+" "+f.Version] = true
		llVulns[f.Vuln+" × "+f.Package] = true
	}
	var both, onlyOSV, onlyLL []string
	for k := range osvSet {
		if llSet[k] {
			both = append(both, k)
		} else {
			onlyOSV = append(onlyOSV, k)
		}
	}
	for k := range llSet {
		if !osvSet[k] {
			onlyLL = append(onlyLL, k)
		}
	}
	sort.Strings(onlyOSV)
	sort.Strings(onlyLL)
	fmt.Printf("advisory×package: osv-scanner %d, Lifeline %d, both %d, only osv-scanner %d, only Lifeline %d\n",
		len(osvSet), len(llSet), len(both), len(onlyOSV), len(onlyLL))
	fmt.Printf("vulnerability×package after alias merging: osv-scanner %d groups, Lifeline %d findings\n", osvGroups, len(llVulns))
	for _, k := range onlyOSV {
		fmt.Println("  only osv-scanner:", k)
	}
	for _, k := range slices.Compact(onlyLL) {
		fmt.Println("  only Lifeline:   ", k)
	}
	return nil
}
